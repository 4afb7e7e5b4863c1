import { and, eq, lt, or } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.js';
import { notices } from './notices.schema.js';

/** A pending notice whose job has not run for this long is queued again (its job may be lost). */
const PENDING_GRACE_MS = 30_000;
/**
 * A fan-out that has written nothing for this long died with its worker; it is queued again. A
 * live fan-out writes after every batch (a fraction of a second each), so this is many batches'
 * worth; a slow one that is requeued anyway does no harm (the fan-out is idempotent). With the
 * worker's 15-second tick, a dead worker's fan-out resumes within 45 seconds.
 */
export const STUCK_AFTER_MS = 30_000;
/** Notices requeued per tick at most; the rest wait for the next one. */
const REQUEUE_BATCH = 1000;

/**
 * Notices whose fan-out was lost, across tenants (platform role: ids and states only): pending
 * past the grace, or sending with no progress for a while. The worker dispatches them again;
 * a fan-out is idempotent, so one that was only slow does no harm.
 */
export async function noticesToRequeue(tx: Tx, now: Date): Promise<{ id: string; tenantId: string }[]> {
  return tx
    .select({ id: notices.id, tenantId: notices.tenantId })
    .from(notices)
    .where(
      or(
        and(eq(notices.state, 'pending'), lt(notices.updatedAt, new Date(now.getTime() - PENDING_GRACE_MS))),
        and(eq(notices.state, 'sending'), lt(notices.updatedAt, new Date(now.getTime() - STUCK_AFTER_MS))),
      ),
    )
    .limit(REQUEUE_BATCH);
}
