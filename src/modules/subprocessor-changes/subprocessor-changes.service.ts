import { and, asc, count, desc, eq, inArray, lte } from 'drizzle-orm';
import { z } from 'zod';
import { type ServiceContext, systemContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { type PageQuery, pageQuery, pageResult } from '../../platform/http/api-route.js';
import { auditLog } from '../audit/audit.service.js';
import { readDraft, replaceDraft } from '../content/draft.service.js';
import { createNoticeIn, type NoticeDispatcher } from '../notices/notices.service.js';
import type { PublishingService, PublishResult } from '../publishing/publishing.service.js';
import { readNotificationSettings } from '../subscribers/notification-settings.service.js';
import { insertPublishedPost } from '../updates/posts.service.js';
import { announcementPost, withdrawalPost } from './announcement.js';
import { applyToList } from './apply-change.js';
import {
  type ChangeResponse,
  changeInput,
  type NoticePeriodResponse,
} from './subprocessor-changes.contract.js';
import { subprocessorChanges } from './subprocessor-changes.schema.js';
import './subprocessor-changes.errors.js';

type ChangeRow = typeof subprocessorChanges.$inferSelect;

/** The changes still to come, soonest first: what a published snapshot announces. */
export async function scheduledChanges(tx: Tx): Promise<ChangeRow[]> {
  return tx
    .select()
    .from(subprocessorChanges)
    .where(eq(subprocessorChanges.state, 'scheduled'))
    .orderBy(asc(subprocessorChanges.effectiveOn), asc(subprocessorChanges.announcedAt));
}

/** Every change that is scheduled or took effect (withdrawn ones never did): the notice-period check. */
export async function scheduledOrAppliedChanges(
  tx: Tx,
): Promise<{ effectiveOn: string; announcedAt: Date }[]> {
  return tx
    .select({ effectiveOn: subprocessorChanges.effectiveOn, announcedAt: subprocessorChanges.announcedAt })
    .from(subprocessorChanges)
    .where(inArray(subprocessorChanges.state, ['scheduled', 'applied']));
}

function toResponse(row: ChangeRow): ChangeResponse {
  return {
    id: row.id,
    kind: row.kind,
    subprocessorKey: row.subprocessorKey,
    subprocessor: row.subprocessor,
    summary: row.summary,
    effectiveOn: row.effectiveOn,
    announcedAt: row.announcedAt.toISOString(),
    state: row.state,
    appliedAt: row.appliedAt?.toISOString() ?? null,
    updateId: row.updateId,
  };
}

/** A UTC calendar date `days` after `date` (both YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Subprocessor changes with advance notice (GDPR Art. 28(2)): announcing one publishes it as
 * upcoming, posts it to the feed and notifies subscribers at once, and withdrawing one tells them
 * the same way; on its effective date the scheduler applies it to the draft and to a snapshot
 * derived from the latest published one.
 */
export function createSubprocessorChangesService({
  db,
  clock,
  publishing,
  dispatch,
}: {
  db: Database;
  clock: Clock;
  publishing: PublishingService;
  dispatch: NoticeDispatcher;
}) {
  const run = tenantTransaction({
    db,
    clock,
    audit: auditLog,
    errors: { codes: { '23505': 'content.key_taken', '23503': 'content.not_found' } },
  });

  function afterCommit(tenantId: string, published: PublishResult | null, noticeId: string | null) {
    if (published?.changed) publishing.notifyPublished(tenantId, published.version);
    if (noticeId) dispatch(tenantId, noticeId);
  }

  /**
   * Posts to the feed (published at once) and records the notice to the subscribers of
   * subprocessor changes, in the caller's transaction; the caller dispatches the notice after commit.
   */
  async function postAndNotify(
    tx: Tx,
    tenantId: string,
    post: { title: string; body: string },
    now: Date,
  ): Promise<{ updateId: string; noticeId: string }> {
    const postRow = await insertPublishedPost(tx, tenantId, { kind: 'subprocessor', ...post }, now);
    const noticeId = await createNoticeIn(
      tx,
      tenantId,
      { topic: 'subprocessors', updateId: postRow.id, subject: post.title, body: post.body },
      now,
    );
    return { updateId: postRow.id, noticeId };
  }

  async function find(tx: Tx, id: string): Promise<ChangeRow> {
    const parsed = z.uuid().safeParse(id);
    if (!parsed.success) throw new AppError('subprocessor_change.not_found');
    const [row] = await tx
      .select()
      .from(subprocessorChanges)
      .where(eq(subprocessorChanges.id, parsed.data))
      .for('update');
    if (!row) throw new AppError('subprocessor_change.not_found');
    return row;
  }

  return {
    /** One page of the announced changes, newest first, read in SQL. */
    async list(ctx: ServiceContext, input: Partial<PageQuery> = {}) {
      ctx.require('content:read');
      const query = pageQuery.parse(input);
      return run(ctx, async (tx) => {
        const [counted] = await tx.select({ total: count() }).from(subprocessorChanges);
        const rows = await tx
          .select()
          .from(subprocessorChanges)
          .orderBy(desc(subprocessorChanges.announcedAt), desc(subprocessorChanges.id))
          .limit(query.limit)
          .offset(query.offset);
        return pageResult(rows.map(toResponse), Number(counted?.total ?? 0), query);
      });
    },

    /**
     * The tenant's notice period and the earliest date it allows today: for whoever announces,
     * who need not be allowed to read the notification settings themselves.
     */
    async noticePeriod(ctx: ServiceContext): Promise<NoticePeriodResponse> {
      ctx.require('content:read');
      const today = clock().toISOString().slice(0, 10);
      const { noticePeriodDays } = await run(ctx, readNotificationSettings);
      return { noticePeriodDays, earliestEffectiveOn: addDays(today, noticePeriodDays) };
    },

    async get(ctx: ServiceContext, id: string): Promise<ChangeResponse> {
      ctx.require('content:read');
      return toResponse(await run(ctx, (tx) => find(tx, id)));
    },

    async announce(ctx: ServiceContext, input: z.input<typeof changeInput>): Promise<ChangeResponse> {
      ctx.require('content:publish');
      const change = changeInput.parse(input);
      const now = clock();
      const today = now.toISOString().slice(0, 10);
      const result = await run(ctx, async (tx, audit) => {
        const settings = await readNotificationSettings(tx);
        if (change.effectiveOn < addDays(today, settings.noticePeriodDays)) {
          throw new AppError('subprocessor_change.too_soon', [
            { path: 'effectiveOn', message: `on or after ${addDays(today, settings.noticePeriodDays)}` },
          ]);
        }
        const draft = await readDraft(tx, ctx.tenantId);
        const going = change.subprocessorKey
          ? draft.subprocessors.find((item) => item.key === change.subprocessorKey)
          : undefined;
        if (change.subprocessorKey && !going) throw new AppError('subprocessor_change.unknown_subprocessor');
        if (change.subprocessor) {
          const key = change.subprocessor.key;
          const scheduled = await tx
            .select({ subprocessor: subprocessorChanges.subprocessor })
            .from(subprocessorChanges)
            .where(eq(subprocessorChanges.state, 'scheduled'));
          const inList =
            draft.subprocessors.some((item) => item.key === key) && key !== change.subprocessorKey;
          if (inList || scheduled.some((row) => row.subprocessor?.key === key)) {
            throw new AppError('subprocessor_change.key_taken');
          }
        }
        const post = announcementPost(change, going, draft.profile.securityContact);
        const { updateId, noticeId } = await postAndNotify(tx, ctx.tenantId, post, now);
        const [row] = await tx
          .insert(subprocessorChanges)
          .values({
            tenantId: ctx.tenantId,
            kind: change.kind,
            subprocessorKey: change.subprocessorKey,
            subprocessor: change.subprocessor,
            summary: change.summary,
            effectiveOn: change.effectiveOn,
            announcedAt: now,
            state: 'scheduled',
            updateId,
          })
          .returning();
        if (!row) throw new Error('change insert returned no row');
        await audit.record(
          'subprocessor_change.announced',
          { type: 'subprocessor_change', id: row.id },
          { kind: change.kind, effectiveOn: change.effectiveOn, noticeId },
        );
        return { row, noticeId, published: await publishing.republishIn(tx, ctx) };
      });
      afterCommit(ctx.tenantId, result.published, result.noticeId);
      return toResponse(result.row);
    },

    /**
     * Withdraws a scheduled change: it leaves the public list of upcoming changes, and the people
     * who were told of it are told it is off, the same way (a feed post and a notice). Every
     * scheduled change was announced: announce() creates the change and its notice together.
     */
    async cancel(ctx: ServiceContext, id: string): Promise<void> {
      ctx.require('content:publish');
      const now = clock();
      const result = await run(ctx, async (tx, audit) => {
        const row = await find(tx, id);
        if (row.state !== 'scheduled') throw new AppError('subprocessor_change.not_scheduled');
        await tx
          .update(subprocessorChanges)
          .set({ state: 'cancelled' })
          .where(eq(subprocessorChanges.id, row.id));
        const draft = await readDraft(tx, ctx.tenantId);
        const going = row.subprocessorKey
          ? draft.subprocessors.find((item) => item.key === row.subprocessorKey)
          : undefined;
        const post = withdrawalPost(row, going);
        const { updateId, noticeId } = await postAndNotify(tx, ctx.tenantId, post, now);
        await audit.record(
          'subprocessor_change.cancelled',
          { type: 'subprocessor_change', id: row.id },
          { kind: row.kind, effectiveOn: row.effectiveOn, updateId, noticeId },
        );
        return { noticeId, published: await publishing.republishIn(tx, ctx) };
      });
      afterCommit(ctx.tenantId, result.published, result.noticeId);
    },

    /**
     * The scheduler's work for one tenant: applies every scheduled change whose date has come, to
     * the draft and to a new snapshot derived from the latest published one. Returns how many.
     */
    async applyDue(tenantId: string): Promise<number> {
      const ctx = systemContext(tenantId, 'scheduler');
      const now = clock();
      const today = now.toISOString().slice(0, 10);
      const result = await run(ctx, async (tx, audit) => {
        const due = await tx
          .select()
          .from(subprocessorChanges)
          .where(and(eq(subprocessorChanges.state, 'scheduled'), lte(subprocessorChanges.effectiveOn, today)))
          .orderBy(asc(subprocessorChanges.effectiveOn), asc(subprocessorChanges.announcedAt))
          .for('update', { skipLocked: true });
        if (due.length === 0) return { applied: 0, published: null };
        const draft = await readDraft(tx, tenantId);
        await replaceDraft(tx, tenantId, {
          ...draft,
          subprocessors: due.reduce(applyToList, draft.subprocessors),
        });
        for (const change of due) {
          await tx
            .update(subprocessorChanges)
            .set({ state: 'applied', appliedAt: now })
            .where(eq(subprocessorChanges.id, change.id));
          await audit.record(
            'subprocessor_change.applied',
            { type: 'subprocessor_change', id: change.id },
            { kind: change.kind, effectiveOn: change.effectiveOn },
          );
        }
        const published = await publishing.republishIn(tx, ctx, (content) => ({
          ...content,
          subprocessors: due.reduce(applyToList, content.subprocessors),
        }));
        return { applied: due.length, published };
      });
      afterCommit(tenantId, result.published, null);
      return result.applied;
    },
  };
}

export type SubprocessorChangesService = ReturnType<typeof createSubprocessorChangesService>;
