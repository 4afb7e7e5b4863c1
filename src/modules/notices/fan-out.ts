import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Sealer } from '../../platform/crypto/sealing.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { enqueueMails } from '../../platform/mail/outbox.js';
import { confirmedSubscribersBatch, readMailIdentity } from '../subscribers/subscribers.service.js';
import { noticeMail } from './notice-mail.js';
import { notices } from './notices.schema.js';

/** Subscribers read and mails enqueued per transaction. */
export const FAN_OUT_BATCH_SIZE = 500;

export interface FanOutResult {
  state: 'sent' | 'skipped';
  recipients: number;
  batches: number;
}

/**
 * Runs in the transaction that marks a notice sent, so what it records (an incident's
 * notification time) is true exactly when the notice is.
 */
export type NoticeSentHook = (
  tx: Tx,
  tenantId: string,
  notice: typeof notices.$inferSelect,
  sentAt: Date,
) => Promise<void>;

export interface FanOutHooks {
  /** Runs after each committed batch (tests use it to kill the run half-way). */
  afterBatch?(batch: number): void | Promise<void>;
}

/**
 * Puts one mail per subscriber of the notice's topic into the outbox, exactly once per subscriber.
 * Subscribers are streamed in id order a batch at a time (keyset pagination: memory stays flat
 * for any list size). Each batch commits its mails together with the notice's cursor, so a run
 * that dies continues after the last committed batch, and the outbox's per-tenant dedupe key
 * (notice id + subscriber id) makes any overlap a no-op. Safe to run twice or concurrently.
 */
export function createFanOut({
  db,
  sealer,
  clock,
  publicUrl,
  batchSize = FAN_OUT_BATCH_SIZE,
  onSent,
}: {
  db: Database;
  sealer: Sealer;
  clock: Clock;
  publicUrl: string;
  batchSize?: number;
  onSent?: NoticeSentHook;
}) {
  return async function fanOut(
    tenantId: string,
    noticeId: string,
    hooks: FanOutHooks = {},
  ): Promise<FanOutResult> {
    const claimed = await withTenant(db, tenantId, async (tx) => {
      const [notice] = await tx
        .update(notices)
        .set({ state: 'sending', attempts: sql`${notices.attempts} + 1`, updatedAt: clock() })
        .where(and(eq(notices.id, noticeId), inArray(notices.state, ['pending', 'sending'])))
        .returning();
      if (!notice) return null;
      return { notice, identity: await readMailIdentity(tx, tenantId, { sealer, publicUrl }) };
    });
    if (!claimed) return { state: 'skipped', recipients: 0, batches: 0 };
    const { notice, identity } = claimed;
    const topic = notice.topic === 'general' ? null : notice.topic;
    let after = notice.cursor;
    let recipients = notice.recipients;
    let batches = 0;
    for (let more = true; more; ) {
      const now = clock();
      more = await withTenant(db, tenantId, async (tx) => {
        const batch = await confirmedSubscribersBatch(tx, topic, after, batchSize);
        const enqueued = await enqueueMails(
          tx,
          tenantId,
          batch.map((subscriber) => noticeMail({ identity, notice, subscriber })),
          now,
        );
        after = batch.at(-1)?.id ?? after;
        recipients += enqueued;
        await tx
          .update(notices)
          .set({ cursor: after, recipients: sql`${notices.recipients} + ${enqueued}`, updatedAt: now })
          .where(eq(notices.id, noticeId));
        return batch.length === batchSize;
      });
      batches += 1;
      await hooks.afterBatch?.(batches);
    }
    await withTenant(db, tenantId, async (tx) => {
      const sentAt = clock();
      const [sent] = await tx
        .update(notices)
        .set({ state: 'sent', lastError: null, completedAt: sentAt, updatedAt: sentAt })
        .where(eq(notices.id, noticeId))
        .returning();
      if (sent) await onSent?.(tx, tenantId, sent, sentAt);
    });
    return { state: 'sent', recipients, batches };
  };
}

export type FanOut = ReturnType<typeof createFanOut>;
