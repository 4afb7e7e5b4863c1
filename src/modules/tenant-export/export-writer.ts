import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'drizzle-orm';
import yazl from 'yazl';
import type { Clock } from '../../platform/clock.js';
import { type Database, resultRows } from '../../platform/db/client.js';
import { migrations } from '../../platform/db/migrations/index.js';
import { literal, tenantStatement, withPlatform } from '../../platform/db/tenancy.js';
import type { BlobVault } from '../../platform/storage/blob-vault.js';
import {
  csvLine,
  documentPath,
  type EntitySpec,
  entities,
  excludedTables,
  FORMAT,
  FORMAT_VERSION,
  MANIFEST,
  type Manifest,
  type ManifestFile,
} from './export-format.js';

/** Rows per page: each page is one short read, so memory and lock time stay flat. */
const PAGE_ROWS = 2000;

export interface ExportProgress {
  /** Files finished so far, of `filesTotal`. */
  files: number;
  filesTotal: number;
  rows: number;
  /** Bytes of plaintext put into the archive so far. */
  bytes: number;
}

export interface ExportSource {
  db: Database;
  vault: Pick<BlobVault, 'read'>;
  clock: Clock;
}

type Row = Record<string, unknown>;

/**
 * One page of an entity after `after` (its key as text), in key order: one round trip on
 * PostgreSQL (tenantStatement), under the tenant's row-level security. Names come from the entity
 * list, never from input; the key is a literal.
 */
async function readPage(db: Database, tenantId: string, spec: EntitySpec, after: string | null) {
  const select = spec.select ?? 'to_jsonb(t)';
  const omit = spec.omit?.length
    ? ` - array[${spec.omit.map((column) => `'${column}'`).join(', ')}]::text[]`
    : '';
  const from = spec.from ?? `${spec.table} t`;
  const key = `t.${spec.key}`;
  // The tenant as a constant too (row-level security filters as well): the planner then walks the
  // (tenant_id, key) index in order instead of sorting the table for every page.
  const where = `t.tenant_id = ${literal(tenantId)}::uuid${after === null ? '' : ` and ${key} > ${literal(after)}::${spec.keyType}`}`;
  return tenantStatement<{ row: Row; k: string }>(
    db,
    tenantId,
    `select (${select})${omit} as row, ${key}::text as k from ${from} where ${where} order by ${key} limit ${PAGE_ROWS}`,
  );
}

async function* rowsOf(db: Database, tenantId: string, spec: EntitySpec): AsyncGenerator<Row> {
  let after: string | null = null;
  for (;;) {
    const page = await readPage(db, tenantId, spec, after);
    for (const { row } of page) yield row;
    if (page.length < PAGE_ROWS) return;
    after = page.at(-1)?.k ?? null;
  }
}

/** Columns of a CSV: the keys of the first row in order, then any later row's new keys are dropped. */
function csvColumns(row: Row): string[] {
  return Object.keys(row).sort();
}

interface DocumentFile {
  versionId: string;
  documentId: string;
  version: number;
  blobId: string;
  filename: string;
  sha256: string;
}

/**
 * Writes the tenant's archive to `output` as a ZIP, streamed: rows are read a page at a time and
 * documents one at a time, so memory stays flat whatever the tenant holds. The manifest is the
 * last entry: it names every other file with its SHA-256, size and row count, computed as the
 * bytes went out. Resolves once `output` has taken every byte.
 *
 * Not a point-in-time snapshot of a tenant being edited: each page is its own short transaction
 * (a long one would hold PGlite's only connection, and trip PostgreSQL's idle-in-transaction
 * deadline whenever the reader is slow). Export a tenant nobody edits (a closing one is read-only).
 */
export async function writeTenantArchive(
  source: ExportSource,
  tenantId: string,
  output: Writable,
  onProgress: (progress: ExportProgress) => void = () => {},
): Promise<Manifest> {
  const { db, vault, clock } = source;
  const [tenant] = await withPlatform(db, async (tx) =>
    resultRows<Manifest['tenant']>(
      await tx.execute(
        sql`select id, slug, name, custom_domain as "customDomain" from tenants where id = ${tenantId}`,
      ),
    ),
  );
  if (!tenant) throw new Error('tenant not found');

  // The documents' list is small (one row per version): known first, so every entry can be queued.
  const documentFiles: DocumentFile[] = [];
  const versions = entities.find((spec) => spec.table === 'document_versions') as EntitySpec;
  for await (const row of rowsOf(db, tenantId, versions)) {
    documentFiles.push({
      versionId: String(row.id),
      documentId: String(row.document_id),
      version: Number(row.version),
      blobId: String(row.blob_id),
      filename: String(row.filename),
      sha256: String(row.sha256),
    });
  }

  const files: ManifestFile[] = [];
  const progress: ExportProgress = {
    files: 0,
    filesTotal: entities.length + entities.filter((spec) => spec.csv).length + documentFiles.length + 1,
    rows: 0,
    bytes: 0,
  };
  const zip = new yazl.ZipFile();
  const mtime = clock();
  let failure: Error | null = null;

  /** Queues one entry whose bytes come from `produce`; hashed and counted on the way out. */
  function entry(path: string, produce: () => AsyncGenerator<Buffer>, extra: Partial<ManifestFile> = {}) {
    zip.addReadStreamLazy(path, { mtime, compress: true }, (callback) => {
      const hash = createHash('sha256');
      let bytes = 0;
      async function* counted() {
        try {
          for await (const chunk of produce()) {
            hash.update(chunk);
            bytes += chunk.length;
            progress.bytes += chunk.length;
            yield chunk;
          }
          files.push({ path, sha256: hash.digest('hex'), bytes, ...extra });
          progress.files += 1;
          onProgress({ ...progress });
        } catch (error) {
          // The archive fails as a whole, through the output's pipeline; the entry just ends.
          failure ??= error instanceof Error ? error : new Error(String(error));
          (zip.outputStream as Readable).destroy(failure);
        }
      }
      callback(null, Readable.from(counted(), { objectMode: false }));
    });
  }

  function rowsEntry(spec: EntitySpec, kind: 'jsonl' | 'csv') {
    const path = `data/${spec.name}.${kind}`;
    const counter = { rows: 0 };
    const extra: Partial<ManifestFile> = {};
    entry(
      path,
      async function* () {
        let columns: string[] | null = null;
        let batch: string[] = [];
        for await (const row of rowsOf(db, tenantId, spec)) {
          if (kind === 'jsonl') batch.push(`${JSON.stringify(row)}\n`);
          else {
            if (!columns) {
              columns = csvColumns(row);
              batch.push(csvLine(columns));
            }
            const values = columns.map((column) => row[column]);
            batch.push(csvLine(values));
          }
          counter.rows += 1;
          if (kind === 'jsonl') progress.rows += 1;
          if (batch.length >= 200) {
            yield Buffer.from(batch.join(''));
            batch = [];
          }
        }
        extra.rows = counter.rows;
        if (batch.length) yield Buffer.from(batch.join(''));
      },
      extra,
    );
  }

  for (const spec of entities) {
    rowsEntry(spec, 'jsonl');
    if (spec.csv) rowsEntry(spec, 'csv');
  }
  for (const file of documentFiles) {
    entry(
      documentPath(file.documentId, file.version, file.versionId, file.filename),
      async function* () {
        const plaintext = await vault.read(tenantId, file.blobId);
        if (createHash('sha256').update(plaintext).digest('hex') !== file.sha256) {
          throw new Error(`document version ${file.versionId} does not match its recorded SHA-256`);
        }
        yield plaintext;
      },
      { documentVersionId: file.versionId },
    );
  }

  let finished: Manifest | null = null;
  zip.addReadStreamLazy(MANIFEST, { mtime, compress: true }, (callback) => {
    finished = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      createdAt: clock().toISOString(),
      schemaVersion: migrations.at(-1)?.version ?? 0,
      tenant,
      excluded: { ...excludedTables },
      files,
    };
    progress.files += 1;
    onProgress({ ...progress });
    callback(null, Readable.from([Buffer.from(`${JSON.stringify(finished, null, 2)}\n`)]));
  });
  zip.end();
  await pipeline(zip.outputStream as Readable, output);
  if (failure) throw failure;
  if (!finished) throw new Error('the archive ended before its manifest');
  return finished;
}
