import { createHash } from 'node:crypto';
import { count, desc, eq, lte } from 'drizzle-orm';
import type { ServiceContext } from '../../platform/auth/context.js';
import { type Clock, systemClock } from '../../platform/clock.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { type PageQuery, pageQuery, pageResult } from '../../platform/http/api-route.js';
import type { TrustCenterDocument } from '../content/content.contract.js';
import { readDraft } from '../content/draft.service.js';
import { readOwnTenant } from '../tenants/tenants.service.js';
import { snapshots } from './publishing.schema.js';
import type { Snapshot, SnapshotContent, SnapshotSummary } from './snapshot.contract.js';
import './publishing.errors.js';

/** Keeps only what is meant for the public: review intervals and internal ids stay in the draft. */
export function toSnapshotContent(
  tenant: { slug: string; name: string },
  draft: TrustCenterDocument,
): SnapshotContent {
  return {
    schemaVersion: 1,
    tenant: { slug: tenant.slug, name: tenant.name },
    profile: draft.profile,
    categories: draft.categories.map((category) => ({
      key: category.key,
      name: category.name,
      description: category.description,
      controls: category.controls.map((control) => ({
        key: control.key,
        title: control.title,
        description: control.description,
        status: control.status,
        lastReviewedOn: control.lastReviewedOn,
        frameworks: control.frameworks,
        ...(control.evidence?.length ? { evidence: control.evidence } : {}),
        ...(control.documents?.length ? { documents: control.documents } : {}),
        ...(control.artifacts?.length
          ? { artifacts: control.artifacts.map(({ title, href }) => ({ title, href })) }
          : {}),
        ...(control.attestation
          ? {
              attestation: {
                statement: control.attestation.statement,
                attestedBy: control.attestation.attestedBy,
                attestedOn: control.attestation.attestedOn,
              },
            }
          : {}),
      })),
    })),
    faq: draft.faq,
    subprocessors: draft.subprocessors,
  };
}

/**
 * A control names only documents the snapshot publishes: a private or deleted one is left out, so
 * no public output holds the id of a document visitors cannot see.
 */
export function keepPublishedDocuments(content: SnapshotContent): SnapshotContent {
  const published = new Set((content.documents ?? []).map((document) => document.id));
  let changed = false;
  const categories = content.categories.map((category) => ({
    ...category,
    controls: category.controls.map((control) => {
      if (!control.documents) return control;
      changed = true;
      const { documents, ...rest } = control;
      const kept = documents.filter((id) => published.has(id));
      return kept.length ? { ...rest, documents: kept } : rest;
    }),
  }));
  return changed ? { ...content, categories } : content;
}

function sha256(content: SnapshotContent): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

/** The snapshot the public sees now, read inside the caller's tenant transaction; null before the first publish. */
export async function readLatestSnapshot(
  tx: Tx,
): Promise<{ version: number; content: SnapshotContent } | null> {
  const [row] = await tx
    .select({ version: snapshots.version, content: snapshots.content })
    .from(snapshots)
    .orderBy(desc(snapshots.version))
    .limit(1);
  return row ?? null;
}

export interface PublishResult {
  version: number;
  changed: boolean;
}

export type PublishedListener = (tenantId: string, version: number) => void;

/**
 * Told of each new snapshot inside the transaction that inserts it, so what it writes (the signed
 * trust manifest) commits or rolls back with the snapshot. It makes no network call.
 */
export type SnapshotInserted = (tx: Tx, tenantId: string, snapshot: Snapshot) => Promise<void>;

/** The latest snapshot in the caller's tenant transaction, or null when nothing was published yet. */
export async function latestSnapshotIn(tx: Tx): Promise<Snapshot | null> {
  const [row] = await tx.select().from(snapshots).orderBy(desc(snapshots.version)).limit(1);
  return row
    ? {
        version: row.version,
        publishedAt: row.publishedAt,
        contentSha256: row.contentSha256,
        content: row.content,
      }
    : null;
}

/** Public sections other modules own (updates, upcoming subprocessor changes), read at every publish. */
export type PublicSectionsReader = (
  tx: Tx,
) => Promise<
  Pick<
    SnapshotContent,
    'updates' | 'subprocessorChanges' | 'documents' | 'nda' | 'certifications' | 'answers'
  >
>;

/**
 * Publishing turns the draft into an immutable, numbered snapshot. The public site reads only
 * snapshots, so nothing typed into the draft is visible until someone with content:publish says so.
 */
/** What a snapshot summary reads: the whole history and one page of it alike. */
const snapshotSummaryColumns = {
  version: snapshots.version,
  publishedAt: snapshots.publishedAt,
  publishedBy: snapshots.publishedBy,
  contentSha256: snapshots.contentSha256,
};

export function createPublishingService({
  db,
  onPublished,
  readSections,
  onSnapshot,
  clock = systemClock,
}: {
  db: Database;
  onPublished?: PublishedListener;
  readSections?: PublicSectionsReader;
  onSnapshot?: SnapshotInserted;
  clock?: Clock;
}) {
  const run = tenantTransaction({ db });

  async function latestRow(tx: Tx) {
    const [row] = await tx.select().from(snapshots).orderBy(desc(snapshots.version)).limit(1);
    return row;
  }

  /** Publishes inside the caller's tenant transaction (used by import --publish, all or nothing). */
  async function publishIn(tx: Tx, ctx: ServiceContext): Promise<PublishResult> {
    ctx.require('content:publish');
    const tenant = await readOwnTenant(tx);
    if (!tenant) throw new AppError('tenant.not_found');
    const content = {
      ...toSnapshotContent(tenant, await readDraft(tx, ctx.tenantId)),
      ...(await readSections?.(tx)),
    };
    if (content.categories.length === 0 && content.faq.length === 0 && content.subprocessors.length === 0) {
      throw new AppError('content.nothing_to_publish');
    }
    return insertSnapshot(tx, ctx, content, await latestRow(tx));
  }

  /**
   * A new snapshot made from the latest published one rather than from the draft: the other
   * modules' sections are read afresh and `change` is applied. Publishes a post or a due
   * subprocessor change without publishing whatever else waits unpublished in the draft. The
   * caller authorizes and calls notifyPublished after commit. Null when nothing was published yet.
   */
  async function republishIn(
    tx: Tx,
    ctx: ServiceContext,
    change: (content: SnapshotContent) => SnapshotContent = (content) => content,
  ): Promise<PublishResult | null> {
    const latest = await latestRow(tx);
    if (!latest) return null;
    return insertSnapshot(tx, ctx, change({ ...latest.content, ...(await readSections?.(tx)) }), latest);
  }

  async function insertSnapshot(
    tx: Tx,
    ctx: ServiceContext,
    unfiltered: SnapshotContent,
    latest: { version: number; contentSha256: string } | undefined,
  ): Promise<PublishResult> {
    const content = keepPublishedDocuments(unfiltered);
    const contentSha256 = sha256(content);
    if (latest && latest.contentSha256 === contentSha256) return { version: latest.version, changed: false };
    const version = (latest?.version ?? 0) + 1;
    const publishedAt = clock();
    await tx.insert(snapshots).values({
      tenantId: ctx.tenantId,
      version,
      content,
      contentSha256,
      publishedAt,
      publishedBy: `${ctx.actor.kind}:${ctx.actor.id}`,
    });
    await onSnapshot?.(tx, ctx.tenantId, { version, publishedAt, contentSha256, content });
    return { version, changed: true };
  }

  async function snapshotByVersion(tenantId: string, version: number): Promise<Snapshot> {
    if (!Number.isSafeInteger(version) || version < 1) throw new AppError('snapshot.not_found');
    const [row] = await run({ tenantId }, (tx) =>
      tx.select().from(snapshots).where(eq(snapshots.version, version)).limit(1),
    );
    if (!row) throw new AppError('snapshot.not_found');
    return {
      version: row.version,
      publishedAt: row.publishedAt,
      contentSha256: row.contentSha256,
      content: row.content,
    };
  }

  return {
    publishIn,
    republishIn,

    /** Tells listeners (the public cache) about a publish committed by publishIn's caller. */
    notifyPublished(tenantId: string, version: number): void {
      onPublished?.(tenantId, version);
    },

    async publish(ctx: ServiceContext): Promise<PublishResult> {
      ctx.require('content:publish');
      // Two concurrent publishes race for the same version number; the loser simply tries again.
      const result = await run(ctx, (tx) => publishIn(tx, ctx), {
        retry: { attempts: 3, when: isUniqueViolation },
      });
      if (result.changed) onPublished?.(ctx.tenantId, result.version);
      return result;
    },

    /** Only the number of the latest snapshot: a cheap freshness check for caches. */
    async latestVersion(ctx: ServiceContext): Promise<number | null> {
      ctx.require('published:read');
      const [row] = await run(ctx, (tx) =>
        tx.select({ version: snapshots.version }).from(snapshots).orderBy(desc(snapshots.version)).limit(1),
      );
      return row?.version ?? null;
    },

    /** The snapshot the public sees now, or null when nothing was published yet. */
    async latest(ctx: ServiceContext): Promise<Snapshot | null> {
      ctx.require('published:read');
      const row = await run(ctx, latestRow);
      return row
        ? {
            version: row.version,
            publishedAt: row.publishedAt,
            contentSha256: row.contentSha256,
            content: row.content,
          }
        : null;
    },

    /** A published version, for whoever may read published content (the public site, old links). */
    async version(ctx: ServiceContext, version: number): Promise<Snapshot> {
      ctx.require('published:read');
      return snapshotByVersion(ctx.tenantId, version);
    },

    /** A past snapshot for the tenant's own people (the public sees only the latest). */
    async snapshot(ctx: ServiceContext, version: number): Promise<Snapshot> {
      ctx.require('content:read');
      return snapshotByVersion(ctx.tenantId, version);
    },

    /** What the trust center said at a moment in time: the last snapshot published at or before it. */
    async asOf(ctx: ServiceContext, moment: Date): Promise<Snapshot> {
      ctx.require('published:read');
      const [row] = await run(ctx, (tx) =>
        tx
          .select()
          .from(snapshots)
          .where(lte(snapshots.publishedAt, moment))
          .orderBy(desc(snapshots.version))
          .limit(1),
      );
      if (!row) throw new AppError('snapshot.not_found');
      return {
        version: row.version,
        publishedAt: row.publishedAt,
        contentSha256: row.contentSha256,
        content: row.content,
      };
    },

    /** One page of the published snapshots, newest first, read in SQL (every publish adds one). */
    async historyPage(ctx: ServiceContext, input: Partial<PageQuery> = {}) {
      ctx.require('content:read');
      const query = pageQuery.parse(input);
      return run(ctx, async (tx) => {
        const [counted] = await tx.select({ total: count() }).from(snapshots);
        const rows = await tx
          .select(snapshotSummaryColumns)
          .from(snapshots)
          .orderBy(desc(snapshots.version))
          .limit(query.limit)
          .offset(query.offset);
        return pageResult<SnapshotSummary>(rows, Number(counted?.total ?? 0), query);
      });
    },

    async history(ctx: ServiceContext): Promise<SnapshotSummary[]> {
      ctx.require('content:read');
      return run(ctx, (tx) =>
        tx.select(snapshotSummaryColumns).from(snapshots).orderBy(desc(snapshots.version)),
      );
    },
  };
}

export type PublishingService = ReturnType<typeof createPublishingService>;
