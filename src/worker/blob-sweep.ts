import { referencedBlobIds } from '../modules/documents/documents.jobs.js';
import { referencedExportBlobIds } from '../modules/tenant-export/tenant-export.jobs.js';
import type { Database } from '../platform/db/client.js';
import { withTenant } from '../platform/db/tenancy.js';
import { type BlobStore, tenantOfBlobKey } from '../platform/storage/blob-store.js';

/**
 * How old an unreferenced object must be before the sweep removes it. An upload stores its blob
 * first and commits the row that refers to it right after, within the database's statement and
 * idle-in-transaction deadlines (decision 0023: seconds); an hour is far beyond any upload still
 * in flight, so a blob whose row is about to be committed is never taken.
 */
export const BLOB_SWEEP_GRACE_MS = 60 * 60_000;

/** Blobs checked against the database per query (one tenant's transaction each). */
const BATCH = 500;

export interface BlobSweepReport {
  /** Blobs older than the grace period that were checked against the database. */
  checked: number;
  /** Blobs that no row of any tenant refers to, removed. */
  orphans: number;
  /** Leftovers of interrupted writes (`.tmp` files), removed. */
  temporaries: number;
}

/**
 * Removes what the store holds and no row refers to: a blob written by an upload whose row was
 * never committed (a crash right after the rename, a failed insert whose clean-up failed too, an
 * S3 put whose answer was lost), the files of a deleted document or tenant whose removal failed,
 * and the temporary file of a write that was killed. Only objects older than `graceMs` are touched.
 *
 * Which blobs are referenced is asked tenant by tenant, under that tenant's row-level security,
 * for the blobs listed under its id: the platform role needs no grant on document rows, and a
 * tenant that no longer exists refers to nothing. Several workers may sweep at once: each removal
 * is of an object that is old and unreferenced whoever looks, and removing a missing one is no
 * error, so two sweeps at worst do the same work twice.
 */
export async function sweepOrphanBlobs({
  db,
  store,
  now,
  graceMs = BLOB_SWEEP_GRACE_MS,
}: {
  db: Database;
  store: BlobStore;
  now: Date;
  graceMs?: number;
}): Promise<BlobSweepReport> {
  const cutoff = now.getTime() - graceMs;
  const report: BlobSweepReport = { checked: 0, orphans: 0, temporaries: 0 };
  let tenantId = '';
  let pending: { key: string; blobId: string }[] = [];

  async function flush(): Promise<void> {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    // Documents' files, and the sealed chunks of export archives (until their own sweep removes them).
    const kept = await withTenant(db, tenantId, async (tx) => {
      const ids = batch.map((blob) => blob.blobId);
      return new Set([...(await referencedBlobIds(tx, ids)), ...(await referencedExportBlobIds(tx, ids))]);
    });
    report.checked += batch.length;
    for (const blob of batch) {
      if (kept.has(blob.blobId)) continue;
      await store.delete(blob.key);
      report.orphans += 1;
    }
  }

  for await (const object of store.list()) {
    if (object.modifiedAt.getTime() > cutoff) continue;
    if (object.kind === 'temporary') {
      await store.removeTemporary(object.name);
      report.temporaries += 1;
      continue;
    }
    const blob = tenantOfBlobKey(object.key);
    if (blob.tenantId !== tenantId || pending.length >= BATCH) {
      await flush();
      tenantId = blob.tenantId;
    }
    pending.push({ key: object.key, blobId: blob.blobId });
  }
  await flush();
  return report;
}
