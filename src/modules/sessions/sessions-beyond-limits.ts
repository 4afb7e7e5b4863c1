import { and, count, gt, isNull, or, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.js';
import { sessions } from './sessions.schema.js';

/** A session's expiries are computed from the clock a moment apart from its timestamps. */
const TOLERANCE_SECONDS = 60;

/**
 * How many sessions open at `now` keep longer limits than these: a session keeps the limits it
 * was opened under, so shortening the settings does not end the longer sessions already open.
 * Runs in the caller's tenant transaction (RLS scopes it to that tenant).
 */
export async function countOpenSessionsBeyond(
  tx: Tx,
  limits: { idleMinutes: number; absoluteHours: number },
  now: Date,
): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(sessions)
    .where(
      and(
        isNull(sessions.revokedAt),
        gt(sessions.idleExpiresAt, now),
        gt(sessions.absoluteExpiresAt, now),
        or(
          sql`${sessions.absoluteExpiresAt} > ${sessions.createdAt} + make_interval(hours => ${limits.absoluteHours}, secs => ${TOLERANCE_SECONDS})`,
          sql`${sessions.idleExpiresAt} > ${sessions.lastSeenAt} + make_interval(mins => ${limits.idleMinutes}, secs => ${TOLERANCE_SECONDS})`,
        ),
      ),
    );
  return Number(row?.n ?? 0);
}
