import { inArray, lt, or } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.js';
import { accessGrants, visitorSessions } from './access.schema.js';

/** The documents module's retention, which the worker runs hourly. */

const DAY = 86_400_000;

/** Document visitors' sessions are kept this many days after their grant ended (expired or revoked). */
export const ENDED_VISITOR_SESSION_DAYS = 7;

/** Deletes, in one tenant's transaction, the visitor sessions whose grant ended longer ago than that. */
export async function deleteEndedVisitorSessions(tx: Tx, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - ENDED_VISITOR_SESSION_DAYS * DAY);
  const endedGrants = tx
    .select({ id: accessGrants.id })
    .from(accessGrants)
    .where(or(lt(accessGrants.expiresAt, cutoff), lt(accessGrants.revokedAt, cutoff)));
  const visitors = await tx
    .delete(visitorSessions)
    .where(inArray(visitorSessions.grantId, endedGrants))
    .returning({ id: visitorSessions.id });
  return visitors.length;
}
