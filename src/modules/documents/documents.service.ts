import { createHash } from 'node:crypto';
import { and, count, desc, eq, inArray } from 'drizzle-orm';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { type PageQuery, pageQuery, pageResult } from '../../platform/http/api-route.js';
import type { BlobVault } from '../../platform/storage/blob-vault.js';
import { auditLog } from '../audit/audit.service.js';
import {
  type DocumentDetail,
  type DocumentInput,
  type DocumentOutput,
  type DocumentPatch,
  type DocumentVersionOutput,
  type DownloadOutput,
  documentInput,
  documentPatch,
  type UploadedFile,
} from './documents.contract.js';
import { documentDownloads, documents, documentVersions } from './documents.schema.js';
import { createRepublishing, type Republisher } from './republish.js';
import { checkUpload } from './upload-checks.js';
import { canWatermark } from './watermark.js';
import './documents.errors.js';

/** Every stored file of the transaction's tenant (RLS): what deleting the tenant removes from storage. */
export async function documentBlobIds(tx: Tx): Promise<string[]> {
  const rows = await tx.select({ blobId: documentVersions.blobId }).from(documentVersions);
  return rows.map((row) => row.blobId);
}

/** The tenant's newest stored files, at most `limit`: what the encryption-at-rest check reads back. */
export async function newestDocumentFiles(
  tx: Tx,
  limit: number,
): Promise<{ blobId: string; sizeBytes: number }[]> {
  return tx
    .select({ blobId: documentVersions.blobId, sizeBytes: documentVersions.sizeBytes })
    .from(documentVersions)
    .orderBy(desc(documentVersions.uploadedAt))
    .limit(limit);
}

type DocumentRow = typeof documents.$inferSelect;
type VersionRow = typeof documentVersions.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toVersion(row: VersionRow): DocumentVersionOutput {
  return {
    id: row.id,
    version: row.version,
    filename: row.filename,
    mediaType: row.mediaType,
    sizeBytes: row.sizeBytes,
    sha256: row.sha256,
    uploadedBy: row.uploadedBy,
    uploadedAt: row.uploadedAt.toISOString(),
  };
}

function toDocument(row: DocumentRow, current: VersionRow | undefined): DocumentOutput {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    category: row.category,
    accessLevel: row.accessLevel,
    expiresOn: row.expiresOn,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    currentVersion: current ? toVersion(current) : null,
  };
}

const actorOf = (ctx: ServiceContext) => `${ctx.actor.kind}:${ctx.actor.id}`;

/** The newest version of each of `documentIds`. */
export async function latestVersions(tx: Tx, documentIds: string[]): Promise<Map<string, VersionRow>> {
  if (documentIds.length === 0) return new Map();
  const rows = await tx
    .select()
    .from(documentVersions)
    .where(inArray(documentVersions.documentId, documentIds))
    .orderBy(desc(documentVersions.version));
  const latest = new Map<string, VersionRow>();
  for (const row of rows) if (!latest.has(row.documentId)) latest.set(row.documentId, row);
  return latest;
}

async function findDocument(tx: Tx, id: string, lock = false): Promise<DocumentRow> {
  if (!UUID.test(id)) throw new AppError('document.not_found');
  const query = tx.select().from(documents).where(eq(documents.id, id)).limit(1);
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw new AppError('document.not_found');
  return row;
}

/**
 * Documents of the trust center: metadata, versioned files (encrypted in the blob store) and the
 * download log. Public and gated documents are republished with every change (republish.ts). A file is checked and encrypted before any transaction starts and stored before
 * its row is written; if the row cannot be written the blob is removed again. Deleting a document
 * removes its rows first and its blobs after the commit.
 */
export function createDocumentsService({
  db,
  vault,
  clock,
  publishing,
}: {
  db: Database;
  vault: BlobVault;
  clock: Clock;
  publishing: Republisher;
}) {
  /** Checks the file, encrypts it and stores it; the caller writes the row or removes the blob. */
  async function storeFile(ctx: ServiceContext, file: UploadedFile) {
    const checked = checkUpload(file.filename, file.data);
    if (checked.kind === 'pdf' && !(await canWatermark(file.data)))
      throw new AppError('document.pdf_unreadable');
    const sha256 = createHash('sha256').update(file.data).digest('hex');
    const blobId = await vault.write(ctx.tenantId, file.data);
    return { ...checked, sha256, blobId, sizeBytes: file.data.length };
  }

  async function withBlob<T>(ctx: ServiceContext, blobId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      await vault.remove(ctx.tenantId, blobId);
      throw error;
    }
  }

  const run = tenantTransaction({ db, clock, audit: auditLog });
  const change = createRepublishing(run, publishing);

  async function removeBlobs(tenantId: string, blobIds: string[]): Promise<void> {
    for (const blobId of blobIds) await vault.remove(tenantId, blobId);
  }

  return {
    async list(ctx: ServiceContext): Promise<DocumentOutput[]> {
      ctx.require('documents:read');
      return run(ctx, async (tx) => {
        const rows = await tx.select().from(documents).orderBy(documents.createdAt, documents.id);
        const latest = await latestVersions(
          tx,
          rows.map((row) => row.id),
        );
        return rows.map((row) => toDocument(row, latest.get(row.id)));
      });
    },

    /** One page of the documents, oldest first, read in SQL. */
    async listPage(ctx: ServiceContext, input: Partial<PageQuery> = {}) {
      ctx.require('documents:read');
      const query = pageQuery.parse(input);
      return run(ctx, async (tx) => {
        const [counted] = await tx.select({ total: count() }).from(documents);
        const rows = await tx
          .select()
          .from(documents)
          .orderBy(documents.createdAt, documents.id)
          .limit(query.limit)
          .offset(query.offset);
        const latest = await latestVersions(
          tx,
          rows.map((row) => row.id),
        );
        const items = rows.map((row) => toDocument(row, latest.get(row.id)));
        return pageResult(items, Number(counted?.total ?? 0), query);
      });
    },

    async get(ctx: ServiceContext, id: string): Promise<DocumentDetail> {
      ctx.require('documents:read');
      return run(ctx, async (tx) => {
        const row = await findDocument(tx, id);
        const versions = await tx
          .select()
          .from(documentVersions)
          .where(eq(documentVersions.documentId, id))
          .orderBy(desc(documentVersions.version));
        return { ...toDocument(row, versions[0]), versions: versions.map(toVersion) };
      });
    },

    async create(ctx: ServiceContext, input: DocumentInput, file: UploadedFile): Promise<DocumentOutput> {
      ctx.require('documents:write');
      const metadata = documentInput.parse(input);
      const stored = await storeFile(ctx, file);
      return withBlob(ctx, stored.blobId, () =>
        change(ctx, async (tx, audit) => {
          const now = clock();
          const [row] = await tx
            .insert(documents)
            .values({
              tenantId: ctx.tenantId,
              ...metadata,
              createdBy: actorOf(ctx),
              createdAt: now,
              updatedAt: now,
            })
            .returning();
          if (!row) throw new Error('document insert returned no row');
          const [version] = await tx
            .insert(documentVersions)
            .values({
              tenantId: ctx.tenantId,
              documentId: row.id,
              version: 1,
              blobId: stored.blobId,
              filename: stored.filename,
              mediaType: stored.mediaType,
              sizeBytes: stored.sizeBytes,
              sha256: stored.sha256,
              uploadedBy: actorOf(ctx),
              uploadedAt: now,
            })
            .returning();
          await audit.record(
            'document.created',
            { type: 'document', id: row.id },
            { versionId: version?.id, accessLevel: row.accessLevel, category: row.category },
          );
          return toDocument(row, version);
        }),
      );
    },

    async addVersion(ctx: ServiceContext, id: string, file: UploadedFile): Promise<DocumentVersionOutput> {
      ctx.require('documents:write');
      // Not found before anything is stored: another tenant's id must not cost us a blob.
      await run(ctx, (tx) => findDocument(tx, id));
      const stored = await storeFile(ctx, file);
      return withBlob(ctx, stored.blobId, () =>
        change(ctx, async (tx, audit) => {
          await findDocument(tx, id, true);
          const [last] = await tx
            .select({ version: documentVersions.version })
            .from(documentVersions)
            .where(eq(documentVersions.documentId, id))
            .orderBy(desc(documentVersions.version))
            .limit(1);
          const now = clock();
          const [version] = await tx
            .insert(documentVersions)
            .values({
              tenantId: ctx.tenantId,
              documentId: id,
              version: (last?.version ?? 0) + 1,
              blobId: stored.blobId,
              filename: stored.filename,
              mediaType: stored.mediaType,
              sizeBytes: stored.sizeBytes,
              sha256: stored.sha256,
              uploadedBy: actorOf(ctx),
              uploadedAt: now,
            })
            .returning();
          if (!version) throw new Error('version insert returned no row');
          await tx.update(documents).set({ updatedAt: now }).where(eq(documents.id, id));
          await audit.record(
            'document.version_added',
            { type: 'document', id },
            { versionId: version.id, version: version.version },
          );
          return toVersion(version);
        }),
      );
    },

    async update(ctx: ServiceContext, id: string, patch: DocumentPatch): Promise<DocumentOutput> {
      ctx.require('documents:write');
      const changes = documentPatch.parse(patch);
      return change(ctx, async (tx, audit) => {
        await findDocument(tx, id, true);
        const now = clock();
        const [row] = await tx
          .update(documents)
          .set({ ...changes, updatedAt: now })
          .where(eq(documents.id, id))
          .returning();
        if (!row) throw new AppError('document.not_found');
        await audit.record(
          'document.updated',
          { type: 'document', id },
          { fields: Object.keys(changes).sort() },
        );
        return toDocument(row, (await latestVersions(tx, [id])).get(id));
      });
    },

    /** Deletes the document with every version; the blobs go right after the commit. */
    async remove(ctx: ServiceContext, id: string): Promise<void> {
      ctx.require('documents:write');
      const blobIds = await change(ctx, async (tx, audit) => {
        await findDocument(tx, id, true);
        const versions = await tx
          .select({ blobId: documentVersions.blobId })
          .from(documentVersions)
          .where(eq(documentVersions.documentId, id));
        await tx.delete(documents).where(eq(documents.id, id));
        await audit.record('document.deleted', { type: 'document', id }, { versions: versions.length });
        return versions.map((version) => version.blobId);
      });
      await removeBlobs(ctx.tenantId, blobIds);
    },

    /** A version's file for the tenant's own people (any access level); logged as a download. */
    async readFile(ctx: ServiceContext, id: string, version?: number) {
      ctx.require('documents:read');
      const row = await run(ctx, async (tx) => {
        await findDocument(tx, id);
        const conditions = [eq(documentVersions.documentId, id)];
        if (version !== undefined) conditions.push(eq(documentVersions.version, version));
        const [found] = await tx
          .select()
          .from(documentVersions)
          .where(and(...conditions))
          .orderBy(desc(documentVersions.version))
          .limit(1);
        if (!found) throw new AppError('document.not_found');
        return found;
      });
      const bytes = await vault.read(ctx.tenantId, row.blobId);
      await run(ctx, (tx) =>
        tx.insert(documentDownloads).values({
          tenantId: ctx.tenantId,
          documentId: id,
          versionId: row.id,
          version: row.version,
          grantId: null,
          actorKind: ctx.actor.kind,
          actorId: ctx.actor.id,
          watermarked: false,
          client: ctx.client,
          downloadedAt: clock(),
        }),
      );
      return { bytes, filename: row.filename, mediaType: row.mediaType };
    },

    /** Who downloaded a document, newest first (personal data: access_requests:manage). */
    async downloads(ctx: ServiceContext, id: string, input: Partial<PageQuery> = {}) {
      ctx.require('access_requests:manage');
      const query = pageQuery.parse(input);
      return run(ctx, async (tx) => {
        await findDocument(tx, id);
        const [counted] = await tx
          .select({ total: count() })
          .from(documentDownloads)
          .where(eq(documentDownloads.documentId, id));
        const rows = await tx
          .select()
          .from(documentDownloads)
          .where(eq(documentDownloads.documentId, id))
          .orderBy(desc(documentDownloads.downloadedAt), desc(documentDownloads.id))
          .limit(query.limit)
          .offset(query.offset);
        const items: DownloadOutput[] = rows.map((row) => ({
          id: row.id,
          documentId: row.documentId,
          versionId: row.versionId,
          version: row.version,
          grantId: row.grantId,
          actor: { kind: row.actorKind, id: row.actorId },
          watermarked: row.watermarked,
          client: row.client,
          downloadedAt: row.downloadedAt.toISOString(),
        }));
        return pageResult(items, Number(counted?.total ?? 0), query);
      });
    },
  };
}

export type DocumentsService = ReturnType<typeof createDocumentsService>;
