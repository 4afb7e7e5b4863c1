import { and, count, desc, eq, inArray, like, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { type PageQuery, pageQuery, pageResult } from '../../platform/http/api-route.js';
import { mailOutbox } from '../../platform/mail/mail.schema.js';
import { resendFailedMails } from '../../platform/mail/outbox.js';
import { auditLog } from '../audit/audit.service.js';
import type { NoticeResponse } from './notices.contract.js';
import { type NoticeTopic, notices } from './notices.schema.js';

export type { NoticeTopic } from './notices.schema.js';

import './notices.errors.js';

/** Called after a commit that created or reopened a notice: the worker queues its fan-out. */
export type NoticeDispatcher = (tenantId: string, noticeId: string) => void;

export interface NoticeInput {
  topic: NoticeTopic;
  updateId: string | null;
  subject: string;
  body: string;
}

/**
 * Records a notice inside the caller's transaction. The row is the durable request to notify: if
 * the process dies before the fan-out job is queued, the scheduler finds the pending notice.
 */
export async function createNoticeIn(
  tx: Tx,
  tenantId: string,
  input: NoticeInput,
  now: Date,
): Promise<string> {
  const [row] = await tx
    .insert(notices)
    .values({
      tenantId,
      topic: input.topic,
      updateId: input.updateId,
      subject: input.subject.slice(0, 300),
      body: input.body.slice(0, 30_000),
      state: 'pending',
      recipients: 0,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: notices.id });
  if (!row) throw new Error('notice insert returned no row');
  return row.id;
}

type Delivery = NoticeResponse['delivery'];
const noDelivery = (): Delivery => ({ pending: 0, sent: 0, failed: 0, stored: 0 });

/**
 * The delivery state of the notices' mails, counted in the outbox. A notice's mails are those
 * whose dedupe key is `notice:<notice id>:<subscriber id>` (see notice-mail.ts).
 */
async function deliveryOf(tx: Tx, noticeIds: string[]): Promise<Map<string, Delivery>> {
  const byNotice = new Map(noticeIds.map((id) => [id, noDelivery()]));
  if (noticeIds.length === 0) return byNotice;
  const noticeId = sql<string>`split_part(${mailOutbox.dedupeKey}, ':', 2)`;
  const rows = await tx
    .select({ noticeId, status: mailOutbox.status, mails: count() })
    .from(mailOutbox)
    .where(and(like(mailOutbox.dedupeKey, 'notice:%'), inArray(noticeId, noticeIds)))
    .groupBy(noticeId, mailOutbox.status);
  for (const row of rows) {
    const delivery = byNotice.get(row.noticeId);
    if (!delivery) continue;
    delivery[row.status === 'sending' ? 'pending' : row.status] += row.mails;
  }
  return byNotice;
}

/** The notice's mails in the outbox (see notice-mail.ts for the dedupe key). */
const mailsOf = (noticeId: string) => like(mailOutbox.dedupeKey, `notice:${noticeId}:%`);

/**
 * A notice whose fan-out is done but some of whose mails failed for good (a run of 550 replies)
 * and none is still under way reads as failed, so the console offers to retry it, which sends
 * those mails again once their cause is fixed.
 */
function undelivered(row: typeof notices.$inferSelect, delivery: Delivery): boolean {
  return row.state === 'sent' && delivery.failed > 0 && delivery.pending === 0;
}

function toResponse(row: typeof notices.$inferSelect, delivery: Delivery = noDelivery()): NoticeResponse {
  const failedMails = undelivered(row, delivery);
  return {
    id: row.id,
    topic: row.topic,
    updateId: row.updateId,
    subject: row.subject,
    state: failedMails ? 'failed' : row.state,
    recipients: row.recipients,
    delivery,
    attempts: row.attempts,
    lastError: failedMails ? 'mail:failed' : row.lastError,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

/** The console's view of notices and their delivery, and the retry of a failed fan-out. */
export function createNoticesService({
  db,
  clock,
  dispatch,
  mailQueued = () => {},
}: {
  db: Database;
  clock: Clock;
  dispatch: NoticeDispatcher;
  /** Told after a commit that put mails back in line. */
  mailQueued?: () => void;
}) {
  const run = tenantTransaction({ db, clock, audit: auditLog });

  return {
    /** One page of the notices, newest first, with the delivery state of that page's notices only. */
    async list(ctx: ServiceContext, input: Partial<PageQuery> = {}) {
      ctx.require('content:read');
      const query = pageQuery.parse(input);
      return run(ctx, async (tx) => {
        const [counted] = await tx.select({ total: count() }).from(notices);
        const rows = await tx
          .select()
          .from(notices)
          .orderBy(desc(notices.createdAt), desc(notices.id))
          .limit(query.limit)
          .offset(query.offset);
        const delivery = await deliveryOf(
          tx,
          rows.map((row) => row.id),
        );
        const items = rows.map((row) => toResponse(row, delivery.get(row.id)));
        return pageResult<NoticeResponse>(items, Number(counted?.total ?? 0), query);
      });
    },

    async get(ctx: ServiceContext, id: string): Promise<NoticeResponse> {
      ctx.require('content:read');
      return run(ctx, async (tx) => {
        const [row] = await tx
          .select()
          .from(notices)
          .where(eq(notices.id, z.uuid().parse(id)))
          .limit(1);
        if (!row) throw new AppError('notice.not_found');
        return toResponse(row, (await deliveryOf(tx, [row.id])).get(row.id));
      });
    },

    /**
     * Retries a failed notice: a fan-out that ran out of retries runs again, and mails the server
     * refused for good are sent again (same Message-ID); subscribers who already have their mail
     * do not get a second. A notice with nothing failed is a conflict.
     */
    async retry(ctx: ServiceContext, id: string): Promise<NoticeResponse> {
      ctx.require('updates:write');
      const noticeId = z.uuid().parse(id);
      const now = clock();
      const { response, fanOut, mails } = await run(ctx, async (tx, audit) => {
        const [current] = await tx.select().from(notices).where(eq(notices.id, noticeId)).for('update');
        if (!current) throw new AppError('notice.not_found');
        if (current.state !== 'failed' && current.state !== 'sent') throw new AppError('notice.not_failed');
        const resent = await resendFailedMails(tx, mailsOf(noticeId), now);
        const fanOut = current.state === 'failed';
        if (!fanOut && resent.length === 0) throw new AppError('notice.not_failed');
        const [updated] = fanOut
          ? await tx
              .update(notices)
              .set({ state: 'pending', attempts: 0, lastError: null, updatedAt: now })
              .where(eq(notices.id, noticeId))
              .returning()
          : [current];
        await audit.record('notice.retried', { type: 'notice', id: noticeId }, { mails: resent.length });
        if (!updated) throw new AppError('notice.not_found');
        const response = toResponse(updated, (await deliveryOf(tx, [noticeId])).get(noticeId));
        return { response, fanOut, mails: resent.length };
      });
      if (fanOut) dispatch(ctx.tenantId, noticeId);
      if (mails > 0) mailQueued();
      return response;
    },
  };
}

/** Marks a notice whose fan-out failed: back to pending for the next try, or failed for good. */
export async function recordNoticeFailure(
  db: Database,
  tenantId: string,
  noticeId: string,
  error: string,
  final: boolean,
  now: Date,
): Promise<void> {
  await withTenant(db, tenantId, (tx) =>
    tx
      .update(notices)
      .set({ state: final ? 'failed' : 'pending', lastError: error.slice(0, 500), updatedAt: now })
      .where(eq(notices.id, noticeId)),
  );
}

export type NoticesService = ReturnType<typeof createNoticesService>;
