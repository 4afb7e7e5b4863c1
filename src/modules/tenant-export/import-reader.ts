import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import yauzl from 'yauzl';
import { type ZodError, z } from 'zod';
import type { Clock } from '../../platform/clock.js';
import type { Sealer } from '../../platform/crypto/sealing.js';
import { type Database, resultRows, type Tx } from '../../platform/db/client.js';
import { AppError } from '../../platform/errors.js';
import type { BlobVault } from '../../platform/storage/blob-vault.js';
import { tenantSlug } from '../../platform/validation/strings.js';
import { appendAuditEvent } from '../audit/audit.service.js';
import { listKeyPurpose } from '../subscribers/notification-settings.service.js';
import {
  type EntitySpec,
  entities,
  FORMAT,
  FORMAT_VERSION,
  MANIFEST,
  type Manifest,
  type ManifestFile,
  manifest as manifestSchema,
} from './export-format.js';
import './tenant-export.errors.js';

/** What an archive may hold before it is refused (counted on the bytes as they inflate). */
export interface ImportLimits {
  /** All entries together, uncompressed. */
  maxTotalBytes: number;
  /** One entry, uncompressed. */
  maxEntryBytes: number;
  /** One document file: it is held in memory to be sealed, like an upload (the upload limit's maximum). */
  maxDocumentBytes: number;
  /** Uncompressed per compressed byte of one entry, checked once the entry passes 1 MiB. */
  maxRatio: number;
  maxEntries: number;
}

export const defaultImportLimits: ImportLimits = {
  maxTotalBytes: 20 * 1024 ** 3,
  maxEntryBytes: 4 * 1024 ** 3,
  maxDocumentBytes: 1024 ** 3,
  maxRatio: 200,
  maxEntries: 200_000,
};

const RATIO_FREE_BYTES = 1024 * 1024;
const MANIFEST_MAX_BYTES = 64 * 1024 * 1024;
const LINE_MAX_BYTES = 64 * 1024 * 1024;
const INSERT_BATCH = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function refused(path: string, message: string): AppError {
  return new AppError('tenant_import.refused', [{ path, message }]);
}

/** A name an unpacker could resolve outside its folder: absolute, drive-lettered, `..`, backslashes. */
export function isUnsafePath(name: string): boolean {
  return (
    name.length === 0 ||
    name.length > 400 ||
    name.startsWith('/') ||
    name.includes('\\') ||
    /^[a-zA-Z]:/.test(name) ||
    name.split('/').some((part) => part === '..' || part === '.' || part === '') ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    /[\u0000-\u001f]/.test(name)
  );
}

interface OpenArchive {
  zip: yauzl.ZipFile;
  entries: Map<string, yauzl.Entry>;
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      file,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true },
      (error, zip) => (error || !zip ? reject(error) : resolve(zip)),
    );
  });
}

async function openArchive(file: string, limits: ImportLimits): Promise<OpenArchive> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(file);
  } catch (error) {
    throw refused('', `not a readable ZIP archive (${(error as Error).message.slice(0, 120)})`);
  }
  const entries = new Map<string, yauzl.Entry>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (error: Error) => {
        // yauzl refuses absolute and `..` names itself; say so in our words.
        const unsafe = /invalid relative path|absolute path|invalid characters/i.test(error.message);
        reject(unsafe ? refused('', `unsafe path in the archive: ${error.message.slice(0, 200)}`) : error);
      });
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        if (isUnsafePath(entry.fileName)) {
          reject(refused(entry.fileName.slice(0, 200), 'unsafe path in the archive'));
          return;
        }
        if (entries.has(entry.fileName)) {
          reject(refused(entry.fileName, 'the archive holds this name twice'));
          return;
        }
        if (entries.size >= limits.maxEntries) {
          reject(refused('', `more than ${limits.maxEntries} entries`));
          return;
        }
        entries.set(entry.fileName, entry);
        zip.readEntry();
      });
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    if (error instanceof AppError) throw error;
    throw refused('', `not a readable ZIP archive (${(error as Error).message.slice(0, 120)})`);
  }
  return { zip, entries };
}

/** Counts the bytes of one pass over the archive, against the total. */
class Budget {
  used = 0;
  constructor(readonly limits: ImportLimits) {}
}

/** The bytes of one entry, as they inflate, refused the moment they pass a limit. */
async function* entryBytes(
  archive: OpenArchive,
  path: string,
  budget: Budget,
  maxBytes = budget.limits.maxEntryBytes,
): AsyncGenerator<Buffer> {
  const entry = archive.entries.get(path);
  if (!entry) throw refused(path, 'named in the manifest but missing from the archive');
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
    archive.zip.openReadStream(entry, (error, readable) =>
      error || !readable ? reject(error) : resolve(readable),
    );
  }).catch((error: Error) => {
    throw refused(path, `unreadable entry (${error.message.slice(0, 120)})`);
  });
  let bytes = 0;
  const compressed = Math.max(1, entry.compressedSize);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      budget.used += chunk.length;
      if (bytes > maxBytes) throw refused(path, `entry is larger than ${maxBytes} bytes`);
      if (budget.used > budget.limits.maxTotalBytes)
        throw refused(path, `the archive inflates past ${budget.limits.maxTotalBytes} bytes`);
      if (bytes > RATIO_FREE_BYTES && bytes / compressed > budget.limits.maxRatio)
        throw refused(path, `entry inflates more than ${budget.limits.maxRatio} times (a zip bomb?)`);
      yield chunk;
    }
  } catch (error) {
    (stream as unknown as { destroy?: () => void }).destroy?.();
    if (error instanceof AppError) throw error;
    throw refused(path, `unreadable entry (${(error as Error).message.slice(0, 120)})`);
  }
}

async function readWhole(
  archive: OpenArchive,
  path: string,
  budget: Budget,
  maxBytes: number,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of entryBytes(archive, path, budget, maxBytes)) parts.push(chunk);
  return Buffer.concat(parts);
}

/** The lines of a JSON-lines entry, each parsed to an object. */
async function* jsonLines(
  source: AsyncIterable<Buffer>,
  path: string,
): AsyncGenerator<Record<string, unknown>> {
  let rest = '';
  let line = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parse = (text: string) => {
    line += 1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw refused(`${path}:${line}`, 'not a JSON line');
    }
    if (!value || typeof value !== 'object' || Array.isArray(value))
      throw refused(`${path}:${line}`, 'not an object');
    return value as Record<string, unknown>;
  };
  for await (const chunk of source) {
    rest += decoder.decode(chunk, { stream: true });
    let newline = rest.indexOf('\n');
    while (newline !== -1) {
      yield parse(rest.slice(0, newline));
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
    if (rest.length > LINE_MAX_BYTES) throw refused(path, 'a line is longer than 64 MiB');
  }
  rest += decoder.decode();
  if (rest.length) throw refused(path, 'the last line has no newline (truncated?)');
}

/** Rows of a CSV written by the export: line breaks outside quotes, less the header. */
function csvRowCounter() {
  let quoted = false;
  let lines = 0;
  return {
    add(chunk: Buffer) {
      for (const byte of chunk) {
        if (byte === 0x22) quoted = !quoted;
        else if (byte === 0x0a && !quoted) lines += 1;
      }
    },
    get rows() {
      return Math.max(0, lines - 1);
    },
  };
}

function describeZodError(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

function jsonlPath(spec: EntitySpec): string {
  return `data/${spec.name}.jsonl`;
}

interface Checked {
  manifest: Manifest;
  manifestSha256: string;
  /** Old id to new id, for every restored row that is not a leaf, the old tenant and the blobs. */
  ids: Map<string, string>;
  versions: { id: string; blobId: string; sha256: string; path: string }[];
}

/**
 * First pass: everything is read and checked before the database is touched. The manifest must
 * be of a known format, name exactly the archive's entries, and every entry must hash, measure
 * and count as the manifest says; every document file must match its version row's SHA-256.
 */
async function checkArchive(
  archive: OpenArchive,
  limits: ImportLimits,
  newTenantId: string,
): Promise<Checked> {
  const budget = new Budget(limits);
  if (!archive.entries.has(MANIFEST))
    throw refused(MANIFEST, 'no manifest: not an Attest tenant archive, or an export that never finished');
  const manifestBytes = await readWhole(archive, MANIFEST, budget, MANIFEST_MAX_BYTES);
  let raw: unknown;
  try {
    raw = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    throw refused(MANIFEST, 'not JSON');
  }
  const head = z.object({ format: z.string(), formatVersion: z.unknown() }).safeParse(raw);
  if (!head.success || head.data.format !== FORMAT) throw refused(MANIFEST, 'not an Attest tenant archive');
  if (head.data.formatVersion !== FORMAT_VERSION) {
    throw refused(
      MANIFEST,
      `unknown format version ${JSON.stringify(head.data.formatVersion)}: this Attest reads version ${FORMAT_VERSION}`,
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw refused(MANIFEST, describeZodError(parsed.error));
  const manifest = parsed.data;

  const listed = new Map<string, ManifestFile>();
  for (const file of manifest.files) {
    if (isUnsafePath(file.path)) throw refused(file.path.slice(0, 200), 'unsafe path in the manifest');
    if (file.path === MANIFEST || listed.has(file.path))
      throw refused(file.path, 'listed twice in the manifest');
    listed.set(file.path, file);
  }
  for (const name of archive.entries.keys()) {
    if (name !== MANIFEST && !listed.has(name)) throw refused(name, 'in the archive but not in the manifest');
  }
  for (const spec of entities) {
    if (!listed.has(jsonlPath(spec))) throw refused(jsonlPath(spec), 'missing from the archive');
  }

  const ids = new Map<string, string>([[manifest.tenant.id, newTenantId]]);
  const restored = new Map(
    entities.filter((spec) => spec.import === 'restore').map((spec) => [jsonlPath(spec), spec]),
  );
  const versionRows = new Map<string, { blobId: string; sha256: string }>();
  const documentFiles: ManifestFile[] = [];

  for (const file of manifest.files) {
    if (file.documentVersionId) {
      documentFiles.push(file);
      continue;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    const csv = file.path.endsWith('.csv') ? csvRowCounter() : null;
    const spec = restored.get(file.path);
    async function* tapped() {
      for await (const chunk of entryBytes(archive, file.path, budget)) {
        hash.update(chunk);
        bytes += chunk.length;
        csv?.add(chunk);
        yield chunk;
      }
    }
    let rows = 0;
    if (file.path.endsWith('.jsonl')) {
      for await (const row of jsonLines(tapped(), file.path)) {
        rows += 1;
        if (spec && !spec.leaf && typeof row[spec.key] === 'string' && spec.key === 'id') {
          const id = row.id as string;
          if (!UUID.test(id) || ids.has(id)) throw refused(`${file.path}:${rows}`, 'a bad or repeated id');
          ids.set(id, randomUUID());
        }
        if (spec?.table === 'document_versions') {
          if (typeof row.id !== 'string' || typeof row.blob_id !== 'string' || typeof row.sha256 !== 'string')
            throw refused(`${file.path}:${rows}`, 'a document version without id, blob or SHA-256');
          versionRows.set(row.id, { blobId: row.blob_id, sha256: row.sha256 });
        }
      }
    } else {
      for await (const _ of tapped());
      rows = csv?.rows ?? 0;
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== file.sha256) throw refused(file.path, 'its SHA-256 is not the one in the manifest');
    if (bytes !== file.bytes) throw refused(file.path, 'its size is not the one in the manifest');
    if ((file.path.endsWith('.jsonl') || csv) && rows !== file.rows)
      throw refused(file.path, `it holds ${rows} rows, the manifest says ${file.rows ?? 'none'}`);
  }

  const versions: Checked['versions'] = [];
  for (const file of documentFiles) {
    const version = versionRows.get(file.documentVersionId as string);
    if (!version) throw refused(file.path, 'a document file of no document version');
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of entryBytes(archive, file.path, budget, limits.maxDocumentBytes)) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== file.sha256 || bytes !== file.bytes)
      throw refused(file.path, 'its SHA-256 or size is not the one in the manifest');
    if (sha256 !== version.sha256)
      throw refused(file.path, 'its SHA-256 is not the one its version row records');
    versions.push({ id: file.documentVersionId as string, blobId: version.blobId, sha256, path: file.path });
    versionRows.delete(file.documentVersionId as string);
  }
  if (versionRows.size) throw refused('', `${versionRows.size} document version(s) without their file`);
  return {
    manifest,
    manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
    ids,
    versions,
  };
}

/** Every string in `value` that is an old id, replaced by its new one (ids in arrays and JSON too). */
function remap(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string') return UUID.test(value) ? (ids.get(value) ?? value) : value;
  if (Array.isArray(value)) return value.map((item) => remap(item, ids));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = remap(item, ids);
    return out;
  }
  return value;
}

async function insertRows(tx: Tx, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (!rows.length) return;
  const target = sql.raw(table);
  await tx.execute(
    sql`insert into ${target} select * from jsonb_populate_recordset(null::${target}, ${JSON.stringify(rows)}::jsonb)`,
  );
}

export interface ImportDeps {
  db: Database;
  vault: Pick<BlobVault, 'writeIn' | 'remove'>;
  sealer: Sealer;
  clock: Clock;
}

export interface ImportResult {
  tenantId: string;
  slug: string;
  rows: Record<string, number>;
  documents: number;
}

/**
 * Restores a tenant archive into a NEW tenant, all or nothing: the archive is checked whole first
 * (paths, sizes, hashes, row counts, format), then the tenant and everything it holds are written
 * in one transaction, under new ids. Blobs stored before a failed commit are removed again.
 */
export async function importTenantArchive(
  deps: ImportDeps,
  file: string,
  target: { slug: string; name: string },
  limits: ImportLimits = defaultImportLimits,
): Promise<ImportResult> {
  const slug = tenantSlug.safeParse(target.slug);
  if (!slug.success || slug.data !== target.slug) throw refused('slug', 'not a valid tenant slug');
  const name = target.name.trim();
  if (!name || name.length > 200) throw refused('name', 'a name of 1 to 200 characters');
  const { db, vault, sealer, clock } = deps;
  const taken = await db.orm.transaction(async (tx) => {
    await tx.execute(sql`select set_config('role', 'attest_platform', true)`);
    return resultRows(await tx.execute(sql`select 1 from tenants where slug = ${target.slug}`));
  });
  if (taken.length > 0) throw refused('slug', `a tenant with slug "${target.slug}" already exists`);

  const newTenantId = randomUUID();
  const archive = await openArchive(file, limits);
  const written: string[] = [];
  try {
    const checked = await checkArchive(archive, limits, newTenantId);
    const budget = new Budget(limits);
    const counts: Record<string, number> = {};
    await db.forLongWork().orm.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', 'attest_platform', true)`);
      try {
        await tx.execute(
          sql`insert into tenants (id, slug, name) values (${newTenantId}, ${target.slug}, ${name})`,
        );
      } catch {
        throw refused('slug', `a tenant with slug "${target.slug}" already exists`);
      }
      await tx.execute(
        sql`select set_config('role', 'attest_app', true), set_config('app.tenant_id', ${newTenantId}, true)`,
      );
      for (const spec of entities) {
        if (spec.import !== 'restore') continue;
        if (spec.table === 'document_versions') {
          for (const version of checked.versions) {
            const plaintext = await readWhole(archive, version.path, budget, limits.maxDocumentBytes);
            if (createHash('sha256').update(plaintext).digest('hex') !== version.sha256)
              throw refused(version.path, 'changed while it was being imported');
            const blobId = await vault.writeIn(tx, newTenantId, plaintext);
            written.push(blobId);
            checked.ids.set(version.blobId, blobId);
          }
        }
        let batch: Record<string, unknown>[] = [];
        let count = 0;
        for await (const row of jsonLines(entryBytes(archive, jsonlPath(spec), budget), jsonlPath(spec))) {
          const restored = remap(row, checked.ids) as Record<string, unknown>;
          restored.tenant_id = newTenantId;
          if (spec.leaf) restored.id = randomUUID();
          fixUp(spec.table, restored, newTenantId, sealer);
          batch.push(restored);
          count += 1;
          if (batch.length >= INSERT_BATCH) {
            await insertRows(tx, spec.table, batch);
            batch = [];
          }
        }
        await insertRows(tx, spec.table, batch);
        counts[spec.table] = count;
      }
      await appendAuditEvent(
        tx,
        newTenantId,
        {
          action: 'tenant.imported',
          actor: { kind: 'system', id: 'tenant-import' },
          target: { type: 'tenant', id: newTenantId },
          details: {
            sourceTenantId: checked.manifest.tenant.id,
            formatVersion: checked.manifest.formatVersion,
            exportedAt: checked.manifest.createdAt,
            manifestSha256: checked.manifestSha256,
            files: checked.manifest.files.length,
          },
        },
        clock(),
      );
    });
    return { tenantId: newTenantId, slug: target.slug, rows: counts, documents: checked.versions.length };
  } catch (error) {
    await Promise.all(written.map((blobId) => vault.remove(newTenantId, blobId).catch(() => {})));
    throw error;
  } finally {
    archive.zip.close();
  }
}

/** Values the archive never carries (secrets), made anew for the new tenant. */
function fixUp(table: string, row: Record<string, unknown>, tenantId: string, sealer: Sealer): void {
  if (table === 'access_grants') {
    // The old link is gone with its secret: the grant stands, a visitor asks for a new link.
    row.link_token_hash = createHash('sha256').update(randomBytes(32)).digest('hex');
  }
  if (table === 'notification_settings') {
    row.list_key_sealed = sealer.seal(randomBytes(32), listKeyPurpose(tenantId));
  }
  if (table === 'snapshots') {
    // Ids inside the content changed: its hash is the one publishing computes for it.
    row.content_sha256 = createHash('sha256').update(JSON.stringify(row.content)).digest('hex');
  }
}
