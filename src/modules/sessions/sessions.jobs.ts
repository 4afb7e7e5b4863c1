import { and, isNull, lt, or } from 'drizzle-orm';
import type { Database, Tx } from '../../platform/db/client.js';
import { withPlatform } from '../../platform/db/tenancy.js';
import { loginThrottle, sessions } from './sessions.schema.js';

/*
 * The sessions module's retention, which the worker runs hourly. The demo trust center's
 * "Retention Policies" control states these numbers; change both together.
 */

const DAY = 86_400_000;

export const sessionRetentionDays = {
  /** Sign-in sessions after they ended (signed out, revoked, idle or absolute timeout). */
  endedSessions: 7,
  /** Failed sign-in counters after the last failure, once no block is running. */
  loginThrottle: 1,
} as const;

/** Sign-in sessions that ended (signed out, revoked, idle or absolute timeout) before `cutoff`. */
export function sessionsEndedBefore(cutoff: Date) {
  return or(
    lt(sessions.revokedAt, cutoff),
    lt(sessions.idleExpiresAt, cutoff),
    lt(sessions.absoluteExpiresAt, cutoff),
  );
}

/** Deletes, in one tenant's transaction, the sessions ended for longer than their retention. */
export async function deleteEndedSessions(tx: Tx, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - sessionRetentionDays.endedSessions * DAY);
  const ended = await tx.delete(sessions).where(sessionsEndedBefore(cutoff)).returning({ id: sessions.id });
  return ended.length;
}

/** Deletes old failed sign-in counters (a platform table) whose block, if any, is over. */
export async function pruneLoginThrottle(db: Database, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - sessionRetentionDays.loginThrottle * DAY);
  const pruned = await withPlatform(db, (tx) =>
    tx
      .delete(loginThrottle)
      .where(
        and(
          lt(loginThrottle.lastFailureAt, cutoff),
          or(isNull(loginThrottle.blockedUntil), lt(loginThrottle.blockedUntil, now)),
        ),
      )
      .returning({ key: loginThrottle.key }),
  );
  return pruned.length;
}
