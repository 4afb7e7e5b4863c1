import { desc, inArray } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.js';
import type { PublishedDocument, PublishedNda } from '../publishing/snapshot.contract.js';
import { ndaTexts } from './access.schema.js';
import { documents } from './documents.schema.js';
import { latestVersions } from './documents.service.js';

/**
 * What documents add to every snapshot: public and gated documents with the version visitors get
 * (private ones never leave the database), and the current NDA text. Fields are copied by name so
 * nothing internal is published by accident. An empty section is `undefined`, which JSON leaves
 * out, so a tenant without documents publishes exactly what it published before documents existed.
 * It is still named: a republish spreads these sections over the last snapshot, and a section left
 * out entirely would keep the last snapshot's documents (the last one deleted or made private
 * would stay listed and downloadable).
 */
export async function readDocumentSections(
  tx: Tx,
): Promise<{ documents?: PublishedDocument[]; nda?: PublishedNda }> {
  const rows = await tx
    .select()
    .from(documents)
    .where(inArray(documents.accessLevel, ['public', 'gated']))
    .orderBy(documents.createdAt, documents.id);
  const latest = await latestVersions(
    tx,
    rows.map((row) => row.id),
  );
  const published: PublishedDocument[] = [];
  for (const row of rows) {
    const version = latest.get(row.id);
    if (!version || row.accessLevel === 'private') continue;
    published.push({
      id: row.id,
      title: row.title,
      description: row.description,
      category: row.category,
      accessLevel: row.accessLevel,
      expiresOn: row.expiresOn,
      versionId: version.id,
      version: version.version,
      filename: version.filename,
      mediaType: version.mediaType,
      sizeBytes: version.sizeBytes,
      updatedAt: version.uploadedAt.toISOString(),
    });
  }
  const [nda] = await tx.select().from(ndaTexts).orderBy(desc(ndaTexts.version)).limit(1);
  return {
    documents: published.length ? published : undefined,
    nda: nda ? { version: nda.version, text: nda.body, sha256: nda.sha256 } : undefined,
  };
}
