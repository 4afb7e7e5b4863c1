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
