import { createHash, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { and, eq, sql } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import { type Database, resultRows, type Tx } from '../../platform/db/client.js';
import { withPlatform, withTenant } from '../../platform/db/tenancy.js';
import type { BlobVault } from '../../platform/storage/blob-vault.js';
import { writeTenantArchive } from './export-writer.js';
import { tenantExports } from './tenant-export.schema.js';
import { ARCHIVE_TTL_MS, removeArchive } from './tenant-export.service.js';

/** A running export whose heartbeat is older than this is taken over by another worker. */
export const STALE_MS = 2 * 60_000;
const HEARTBEAT_MS = 20_000;
/** The archive is stored sealed in chunks of this size: memory stays flat, and S3 puts stay small. */
export const CHUNK_BYTES = 8 * 1024 * 1024;
const MAX_ATTEMPTS = 3;

export interface ExportJobDeps {
  db: Database;
  vault: Pick<BlobVault, 'write' | 'read' | 'remove'>;
  clock: Clock;
}

/** Exports waiting for a worker, or held by one that stopped beating (platform role: ids and states). */
export async function exportWork(db: Database, now: Date): Promise<{ id: string; tenantId: string }[]> {
  const stale = new Date(now.getTime() - STALE_MS).toISOString();
  return withPlatform(db, async (tx) =>
    resultRows<{ id: string; tenantId: string }>(
      await tx.execute(sql`
        select id, tenant_id as "tenantId" from tenant_exports
        where state = 'queued' or (state = 'running' and heartbeat_at < ${stale}::timestamptz)
        order by id limit 5`),
    ),
  );
}

/**
 * Takes the job for one run, or learns another worker has it: one conditional update, so two
 * workers never run the same export at once. A job that has failed over too often is failed.
 */
export async function claimExport(
  db: Database,
  tenantId: string,
  id: string,
  now: Date,
): Promise<string | null> {
  const runId = randomUUID();
  const stale = new Date(now.getTime() - STALE_MS).toISOString();
  return withTenant(db, tenantId, async (tx) => {
    const rows = resultRows<{ id: string; attempts: number }>(
      await tx.execute(sql`
        update tenant_exports set state = 'running', run_id = ${runId}, attempts = attempts + 1,
          heartbeat_at = ${now.toISOString()}::timestamptz, files_done = 0, bytes_done = 0, chunk_blob_ids = '{}'
        where id = ${id} and attempts < ${MAX_ATTEMPTS}
          and (state = 'queued' or (state = 'running' and heartbeat_at < ${stale}::timestamptz))
        returning id, attempts`),
    );
    if (rows.length) return runId;
    await tx.execute(sql`
      update tenant_exports set state = 'failed', error = 'worker_lost', finished_at = ${now.toISOString()}::timestamptz
      where id = ${id} and state = 'running' and attempts >= ${MAX_ATTEMPTS} and heartbeat_at < ${stale}::timestamptz`);
    return null;
  });
}

class LostRun extends Error {
  override name = 'LostRun';
}

/** Changes the job's row if this run still holds it; throws LostRun when another run took it. */
async function asHolder(
  db: Database,
  tenantId: string,
  id: string,
  runId: string,
  change: (tx: Tx) => Promise<unknown[]>,
): Promise<void> {
  const rows = await withTenant(db, tenantId, change);
  if (!rows.length) throw new LostRun(`export ${id} is held by another run`);
  void runId;
}

/**
 * Runs a claimed export: the archive goes through a writer that seals it chunk by chunk into the
 * blob store and records each chunk on the job's row (with the progress, as the heartbeat). A
 * chunk written by a run that lost the job is referenced by no row, and the orphan sweep removes it.
 */
export async function runExport(
  deps: ExportJobDeps,
  tenantId: string,
  id: string,
  runId: string,
  signal?: AbortSignal,
): Promise<'done' | 'failed' | 'lost' | 'stopped'> {
  const { db, vault, clock } = deps;
  const holds = and(eq(tenantExports.id, id), eq(tenantExports.runId, runId));
  const hash = createHash('sha256');
  let size = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let progress = { files: 0, filesTotal: 0, bytes: 0 };

  async function flush() {
    if (!pendingBytes) return;
    const chunk = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    const blobId = await vault.write(tenantId, chunk);
    await asHolder(db, tenantId, id, runId, (tx) =>
      tx
        .update(tenantExports)
        .set({
          chunkBlobIds: sql`array_append(${tenantExports.chunkBlobIds}, ${blobId}::uuid)`,
          heartbeatAt: clock(),
          filesDone: progress.files,
          filesTotal: progress.filesTotal,
          bytesDone: progress.bytes,
        })
        .where(holds)
        .returning({ id: tenantExports.id }),
    );
  }

  const sink = new Writable({
    write(data: Buffer, _encoding, callback) {
      if (signal?.aborted) return callback(new Error('stopped'));
      hash.update(data);
      size += data.length;
      pending.push(data);
      pendingBytes += data.length;
      if (pendingBytes < CHUNK_BYTES) return callback();
      flush().then(() => callback(), callback);
    },
    final(callback) {
      flush().then(() => callback(), callback);
    },
  });
  const beat = setInterval(() => {
    void withTenant(db, tenantId, (tx) =>
      tx
        .update(tenantExports)
        .set({
          heartbeatAt: clock(),
          filesDone: progress.files,
          filesTotal: progress.filesTotal,
          bytesDone: progress.bytes,
        })
        .where(holds),
    ).catch(() => {});
  }, HEARTBEAT_MS);
  beat.unref();
  try {
    await writeTenantArchive({ db, vault, clock }, tenantId, sink, (next) => {
      progress = next;
    });
    const now = clock();
    await asHolder(db, tenantId, id, runId, (tx) =>
      tx
        .update(tenantExports)
        .set({
          state: 'done',
          filesDone: progress.filesTotal,
          filesTotal: progress.filesTotal,
          bytesDone: progress.bytes,
          sizeBytes: size,
          sha256: hash.digest('hex'),
          finishedAt: now,
          expiresAt: new Date(now.getTime() + ARCHIVE_TTL_MS),
          heartbeatAt: now,
        })
        .where(holds)
        .returning({ id: tenantExports.id }),
    );
    return 'done';
  } catch (error) {
    if (error instanceof LostRun) return 'lost';
    // A worker stopping leaves the job running: its heartbeat stops, and another worker resumes it.
    if (signal?.aborted) return 'stopped';
    const code = `${(error as Error).name ?? 'Error'}`.slice(0, 60);
    const failed = await withTenant(db, tenantId, (tx) =>
      tx
        .update(tenantExports)
        .set({ state: 'failed', error: `export_failed:${code}`, finishedAt: clock() })
        .where(holds)
        .returning({ id: tenantExports.id }),
    ).catch(() => []);
    if (failed.length) await removeArchive(db, vault, tenantId, id, clock(), null).catch(() => {});
    return 'failed';
  } finally {
    clearInterval(beat);
  }
}

/**
 * Removes archives whose time is up: downloaded (when the removal after the download failed),
 * failed, or past their expiry. Idempotent: two workers sweeping at once remove the same blobs,
 * and removing a missing blob is no error.
 */
export async function sweepExportArchives(deps: Omit<ExportJobDeps, 'clock'>, now: Date): Promise<number> {
  const due = await withPlatform(deps.db, async (tx) =>
    resultRows<{ id: string; tenantId: string; state: string }>(
      await tx.execute(sql`
        select id, tenant_id as "tenantId", state from tenant_exports
        where archive_removed_at is null
          and (state in ('downloaded', 'failed') or (state = 'done' and expires_at < ${now.toISOString()}::timestamptz))
        limit 200`),
    ),
  );
  let removed = 0;
  for (const row of due) {
    removed += await removeArchive(
      deps.db,
      deps.vault,
      row.tenantId,
      row.id,
      now,
      row.state === 'done' ? 'expired' : null,
    );
  }
  return removed;
}

/** The blobs among `blobIds` that an export's archive holds (for the orphan sweep), under the tenant's RLS. */
export async function referencedExportBlobIds(tx: Tx, blobIds: readonly string[]): Promise<Set<string>> {
  if (!blobIds.length) return new Set();
  const rows = resultRows<{ id: string }>(
    await tx.execute(sql`
      select distinct unnest(chunk_blob_ids)::text as id from tenant_exports
      where chunk_blob_ids && ${`{${blobIds.join(',')}}`}::uuid[]`),
  );
  return new Set(rows.map((row) => row.id));
}
