import { Readable } from 'node:stream';
import { and, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import { hashSecret, randomSecret } from '../../platform/crypto/tokens.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import type { BlobVault } from '../../platform/storage/blob-vault.js';
import { auditLog } from '../audit/audit.service.js';
import type { ExportView } from './tenant-export.contract.js';
import { tenantExports } from './tenant-export.schema.js';
import './tenant-export.errors.js';

/** A download link works once, for this long. */
export const LINK_TTL_MS = 15 * 60_000;
/** A finished archive is kept this long for its download, then removed. */
export const ARCHIVE_TTL_MS = 24 * 60 * 60_000;

type ExportRow = typeof tenantExports.$inferSelect;

export function toExportView(row: ExportRow): ExportView {
  const percent =
    row.state === 'done' || row.state === 'downloaded'
      ? 100
      : row.filesTotal > 0
        ? Math.min(99, Math.floor((row.filesDone / row.filesTotal) * 100))
        : 0;
  return {
    id: row.id,
    state: row.state,
    requestedBy: row.requestedBy,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    progress: { filesDone: row.filesDone, filesTotal: row.filesTotal, bytesDone: row.bytesDone, percent },
    sizeBytes: row.sizeBytes,
    sha256: row.sha256,
    error: row.error,
  };
}

/** Finished, its archive still stored and not past its day. */
function isDownloadable(row: ExportRow, now: Date): boolean {
  return (
    (row.state === 'done' || row.state === 'downloaded') &&
    !row.archiveRemovedAt &&
    row.expiresAt !== null &&
    row.expiresAt > now
  );
}

async function exportRow(tx: Tx, id: string): Promise<ExportRow> {
  const [row] = await tx.select().from(tenantExports).where(eq(tenantExports.id, id)).limit(1);
  if (!row) throw new AppError('tenant_export.not_found');
  return row;
}

/**
 * Removes an archive's chunks and records it: after its first complete download, its expiry, or
 * a failed run (the sweep in tenant-export.jobs.ts calls it).
 */
export async function removeArchive(
  db: Database,
  vault: Pick<BlobVault, 'remove'>,
  tenantId: string,
  id: string,
  now: Date,
  state: 'downloaded' | 'expired' | null,
): Promise<number> {
  const [row] = await withTenant(db, tenantId, (tx) =>
    tx
      .select({ chunks: tenantExports.chunkBlobIds })
      .from(tenantExports)
      .where(eq(tenantExports.id, id))
      .limit(1),
  );
  if (!row) return 0;
  for (const blobId of row.chunks) await vault.remove(tenantId, blobId);
  await withTenant(db, tenantId, (tx) =>
    tx
      .update(tenantExports)
      .set({
        chunkBlobIds: [],
        archiveRemovedAt: now,
        ...(state ? { state } : {}),
        linkTokenHash: null,
      })
      .where(eq(tenantExports.id, id)),
  );
  return row.chunks.length;
}

/**
 * Complete tenant exports through the API (decision 0026): a job the worker runs
 * (tenant-export.jobs.ts), its progress, a single-use short-lived download link, and the
 * download itself, streamed chunk by chunk from the sealed blobs. Owners only (`tenant:own`):
 * the archive holds every subscriber, requester and member address.
 */
export function createTenantExportService({
  db,
  vault,
  clock,
}: {
  db: Database;
  vault: Pick<BlobVault, 'read' | 'remove'>;
  clock: Clock;
}) {
  const run = tenantTransaction({ db, clock, audit: auditLog });

  return {
    async request(ctx: ServiceContext): Promise<ExportView> {
      ctx.require('tenant:own');
      return run(ctx, async (tx, audit) => {
        // One export at a time per tenant: a second request while one runs would only double the work.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${ctx.tenantId}, 7342))`);
        const [open] = await tx
          .select({ id: tenantExports.id })
          .from(tenantExports)
          .where(inArray(tenantExports.state, ['queued', 'running']))
          .limit(1);
        if (open) throw new AppError('tenant_export.already_running');
        const [row] = await tx
          .insert(tenantExports)
          .values({
            tenantId: ctx.tenantId,
            requestedBy: `${ctx.actor.kind}:${ctx.actor.id}`.slice(0, 100),
            state: 'queued',
            createdAt: clock(),
          })
          .returning();
        if (!row) throw new Error('export insert returned no row');
        await audit.record('tenant.export_requested', { type: 'tenant_export', id: row.id });
        return toExportView(row);
      });
    },

    async get(ctx: ServiceContext, id: string): Promise<ExportView> {
      ctx.require('tenant:own');
      return run(ctx, async (tx) => toExportView(await exportRow(tx, id)));
    },

    async list(ctx: ServiceContext): Promise<ExportView[]> {
      ctx.require('tenant:own');
      const rows = await run(ctx, (tx) =>
        tx.select().from(tenantExports).orderBy(desc(tenantExports.createdAt)).limit(20),
      );
      return rows.map(toExportView);
    },

    /** A new single-use link for a finished archive (a new one replaces the last). */
    async link(ctx: ServiceContext, id: string): Promise<{ url: string; expiresAt: string }> {
      ctx.require('tenant:own');
      const token = randomSecret();
      const now = clock();
      const expiresAt = new Date(now.getTime() + LINK_TTL_MS);
      await run(ctx, async (tx) => {
        const row = await exportRow(tx, id);
        if (!isDownloadable(row, now)) throw new AppError('tenant_export.not_ready');
        await tx
          .update(tenantExports)
          .set({ linkTokenHash: hashSecret(token), linkExpiresAt: expiresAt, linkUsedAt: null })
          .where(eq(tenantExports.id, id));
      });
      return { url: `/api/v1/exports/${id}/download?token=${token}`, expiresAt: expiresAt.toISOString() };
    },

    /**
     * The archive, streamed. The link is used up before the first byte (a second request with it is
     * 404); after a complete download the worker's sweep removes the archive. A download cut short
     * leaves the archive until its expiry: ask for a new link.
     */
    async download(
      ctx: ServiceContext,
      id: string,
      token: string,
    ): Promise<{ body: Readable; filename: string }> {
      ctx.require('tenant:own');
      const now = clock();
      const row = await run(ctx, async (tx, audit) => {
        await exportRow(tx, id);
        if (!token) throw new AppError('tenant_export.link_invalid');
        const [used] = await tx
          .update(tenantExports)
          .set({ linkUsedAt: now })
          .where(
            and(
              eq(tenantExports.id, id),
              inArray(tenantExports.state, ['done', 'downloaded']),
              gt(tenantExports.expiresAt, now),
              eq(tenantExports.linkTokenHash, hashSecret(token)),
              isNull(tenantExports.linkUsedAt),
              gt(tenantExports.linkExpiresAt, now),
              isNull(tenantExports.archiveRemovedAt),
            ),
          )
          .returning();
        if (!used) throw new AppError('tenant_export.link_invalid');
        await audit.record(
          'tenant.export_downloaded',
          { type: 'tenant_export', id },
          {
            bytes: used.sizeBytes ?? 0,
          },
        );
        return used;
      });
      const tenantId = ctx.tenantId;
      async function* chunks() {
        for (const blobId of row.chunkBlobIds) yield await vault.read(tenantId, blobId);
        // Complete: the worker's sweep removes the archive within a minute.
        await withTenant(db, tenantId, (tx) =>
          tx.update(tenantExports).set({ state: 'downloaded' }).where(eq(tenantExports.id, id)),
        );
      }
      return {
        body: Readable.from(chunks()),
        filename: `attest-export-${row.createdAt.toISOString().slice(0, 10)}.zip`,
      };
    },
  };
}

export type TenantExportService = ReturnType<typeof createTenantExportService>;
