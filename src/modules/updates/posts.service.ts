import { count, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { type AuditRecorder, tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { type PageQuery, pageQuery, pageResult } from '../../platform/http/api-route.js';
import type { AuditAction } from '../audit/audit.contract.js';
import { auditLog } from '../audit/audit.service.js';
import { createNoticeIn, type NoticeDispatcher, type NoticeTopic } from '../notices/notices.service.js';
import type { PublishingService, PublishResult } from '../publishing/publishing.service.js';
import { type PostInput, type PostResponse, postInput, postPatch } from './updates.contract.js';
import { type UpdateKind, updatePosts } from './updates.schema.js';
import './updates.errors.js';

type PostRow = typeof updatePosts.$inferSelect;

export function toPostResponse(row: PostRow): PostResponse {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    incidentId: row.incidentId,
    publishedAt: row.publishedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Who is told about a post: subscribers of its topic, and those of "all updates". */
export function noticeTopicOf(kind: UpdateKind): NoticeTopic {
  if (kind === 'incident') return 'incidents';
  if (kind === 'subprocessor') return 'subprocessors';
  return 'general';
}

export interface PublishPostDeps {
  publishing: PublishingService;
  clock: Clock;
}

/**
 * Publishes a post inside the caller's transaction: marks it published, records its notice, and
 * publishes a snapshot derived from the latest one (never
 * from the draft). A linked incident counts as notified once the notice has gone out, not here
 * (recordIncidentNotifiedIn, called by the fan-out). The caller dispatches the notice and tells the cache after commit.
 */
export async function publishPostIn(
  tx: Tx,
  ctx: ServiceContext,
  post: PostRow,
  { publishing, clock }: PublishPostDeps,
  audit: AuditRecorder<AuditAction>,
): Promise<{ noticeId: string | null; published: PublishResult | null; row: PostRow }> {
  const now = clock();
  let row = post;
  let noticeId: string | null = null;
  if (!post.publishedAt) {
    const [updated] = await tx
      .update(updatePosts)
      .set({ publishedAt: now, updatedAt: now })
      .where(eq(updatePosts.id, post.id))
      .returning();
    if (!updated) throw new AppError('update.not_found');
    row = updated;
    noticeId = await createNoticeIn(
      tx,
      ctx.tenantId,
      { topic: noticeTopicOf(post.kind), updateId: post.id, subject: post.title, body: post.body },
      now,
    );
    await audit.record('update.published', { type: 'update', id: post.id }, { kind: post.kind, noticeId });
  }
  const published = await publishing.republishIn(tx, ctx);
  return { noticeId, published, row };
}

/** Update posts: drafts are private; publishing one puts it in the feed and notifies subscribers. */
/**
 * Adds a post to the feed, published at once, in the caller's tenant transaction (a subprocessor
 * change's announcement). Publishing the snapshot and the notice are the caller's.
 */
export async function insertPublishedPost(
  tx: Tx,
  tenantId: string,
  post: { kind: UpdateKind; title: string; body: string },
  now: Date,
): Promise<{ id: string }> {
  const [row] = await tx
    .insert(updatePosts)
    .values({ tenantId, ...post, publishedAt: now, createdAt: now, updatedAt: now })
    .returning({ id: updatePosts.id });
  if (!row) throw new Error('post insert returned no row');
  return row;
}

export function createPostsService({
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
    errors: { codes: { '23505': 'content.key_taken', '23503': 'incident.not_found' } },
  });

  async function find(tx: Tx, id: string): Promise<PostRow> {
    const parsed = z.uuid().safeParse(id);
    if (!parsed.success) throw new AppError('update.not_found');
    const [row] = await tx.select().from(updatePosts).where(eq(updatePosts.id, parsed.data)).for('update');
    if (!row) throw new AppError('update.not_found');
    return row;
  }

  function afterCommit(
    ctx: ServiceContext,
    result: { noticeId: string | null; published: PublishResult | null },
  ) {
    if (result.published?.changed) publishing.notifyPublished(ctx.tenantId, result.published.version);
    if (result.noticeId) dispatch(ctx.tenantId, result.noticeId);
  }

  return {
    /** One page of the posts, drafts and published, newest first, read in SQL. */
    async list(ctx: ServiceContext, input: Partial<PageQuery> = {}) {
      ctx.require('content:read');
      const query = pageQuery.parse(input);
      return run(ctx, async (tx) => {
        const [counted] = await tx.select({ total: count() }).from(updatePosts);
        const rows = await tx
          .select()
          .from(updatePosts)
          .orderBy(desc(updatePosts.createdAt), desc(updatePosts.id))
          .limit(query.limit)
          .offset(query.offset);
        return pageResult(rows.map(toPostResponse), Number(counted?.total ?? 0), query);
      });
    },

    async get(ctx: ServiceContext, id: string): Promise<PostResponse> {
      ctx.require('content:read');
      return toPostResponse(await run(ctx, (tx) => find(tx, id)));
    },

    async create(ctx: ServiceContext, input: z.input<typeof postInput>): Promise<PostResponse> {
      ctx.require('updates:write');
      const parsed: PostInput = postInput.parse(input);
      const now = clock();
      const [row] = await run(ctx, (tx) =>
        tx
          .insert(updatePosts)
          .values({ ...parsed, tenantId: ctx.tenantId, createdAt: now, updatedAt: now })
          .returning(),
      );
      if (!row) throw new Error('post insert returned no row');
      return toPostResponse(row);
    },

    /** Edits a post; a published one is corrected in the feed at once (subscribers are not mailed again). */
    async update(ctx: ServiceContext, id: string, input: z.input<typeof postPatch>): Promise<PostResponse> {
      ctx.require('updates:write');
      const parsed = postPatch.parse(input);
      const now = clock();
      const result = await run(ctx, async (tx) => {
        await find(tx, id);
        const [row] = await tx
          .update(updatePosts)
          .set({ ...parsed, updatedAt: now })
          .where(eq(updatePosts.id, id))
          .returning();
        if (!row) throw new AppError('update.not_found');
        const published = row.publishedAt ? await publishing.republishIn(tx, ctx) : null;
        return { row, published, noticeId: null };
      });
      afterCommit(ctx, result);
      return toPostResponse(result.row);
    },

    async publish(ctx: ServiceContext, id: string): Promise<PostResponse> {
      ctx.require('updates:write');
      const result = await run(ctx, async (tx, audit) =>
        publishPostIn(tx, ctx, await find(tx, id), { publishing, clock }, audit),
      );
      afterCommit(ctx, result);
      return toPostResponse(result.row);
    },

    /** Deletes a post; a published one leaves the feed with the next snapshot, published at once. */
    async remove(ctx: ServiceContext, id: string): Promise<void> {
      ctx.require('updates:write');
      const result = await run(ctx, async (tx, audit) => {
        const post = await find(tx, id);
        await tx.delete(updatePosts).where(eq(updatePosts.id, post.id));
        await audit.record(
          'update.deleted',
          { type: 'update', id: post.id },
          { wasPublished: post.publishedAt !== null },
        );
        const published = post.publishedAt ? await publishing.republishIn(tx, ctx) : null;
        return { published, noticeId: null };
      });
      afterCommit(ctx, result);
    },
  };
}

export type PostsService = ReturnType<typeof createPostsService>;
