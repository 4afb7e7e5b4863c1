import { inArray } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.js';
import type { AccessLevel, DocumentCategory } from './documents.schema.js';
import { documents } from './documents.schema.js';
import { latestVersions } from './documents.service.js';

/*
 * What other modules may know of a document they refer to (a control that it proves, the
 * certification it is the report of), read inside the caller's tenant transaction: row-level
 * security shows only that tenant's documents, so another tenant's id is simply not found.
 */

/** Of `ids`, those naming a document of the transaction's tenant. */
export async function existingDocumentIds(tx: Tx, ids: readonly string[]): Promise<ReadonlySet<string>> {
  const wanted = [...new Set(ids)].filter((id) => UUID.test(id));
  if (wanted.length === 0) return new Set();
  const rows = await tx.select({ id: documents.id }).from(documents).where(inArray(documents.id, wanted));
  return new Set(rows.map((row) => row.id));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DocumentReference {
  id: string;
  title: string;
  category: DocumentCategory;
  accessLevel: AccessLevel;
  /** The current (newest) file's version number and SHA-256. */
  version: number;
  sha256: string;
}

/** The documents among `ids` with their current file, by id; a document without a file is left out. */
export async function documentReferences(
  tx: Tx,
  ids: readonly string[],
): Promise<Map<string, DocumentReference>> {
  const wanted = [...new Set(ids)].filter((id) => UUID.test(id));
  if (wanted.length === 0) return new Map();
  const rows = await tx.select().from(documents).where(inArray(documents.id, wanted));
  const latest = await latestVersions(
    tx,
    rows.map((row) => row.id),
  );
  const found = new Map<string, DocumentReference>();
  for (const row of rows) {
    const version = latest.get(row.id);
    if (!version) continue;
    found.set(row.id, {
      id: row.id,
      title: row.title,
      category: row.category,
      accessLevel: row.accessLevel,
      version: version.version,
      sha256: version.sha256,
    });
  }
  return found;
}
