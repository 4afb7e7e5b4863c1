import { inArray } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.js';
import { documentVersions } from './documents.schema.js';

/**
 * Of `blobIds`, those a document version of the transaction's tenant (RLS) refers to: the orphan
 * sweep keeps these and may remove the rest. Every table that comes to hold a blob id must be
 * asked here too, or the sweep would remove its blobs.
 */
export async function referencedBlobIds(tx: Tx, blobIds: readonly string[]): Promise<Set<string>> {
  if (!blobIds.length) return new Set();
  const rows = await tx
    .select({ blobId: documentVersions.blobId })
    .from(documentVersions)
    .where(inArray(documentVersions.blobId, [...blobIds]));
  return new Set(rows.map((row) => row.blobId));
}

/**
 * Every blob key (`tenant/blob`) the database refers to, across tenants, for a backup: run in the
 * dump's own snapshot by a connection that reads every row (the backup role, decision 0027). The
 * same tables as `referencedBlobIds`.
 */
export const REFERENCED_BLOB_KEYS_SQL =
  "SELECT DISTINCT tenant_id::text || '/' || blob_id::text AS key FROM document_versions";
