import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../db/client.js';
import type { BlobStore } from '../storage/blob-store.js';
import {
  ArchiveWriter,
  BackupError,
  finishArchive,
  type Manifest,
  readArchive,
  verifyArchive,
} from './archive.js';
import {
  assertEmptyDataDir,
  assertEmptyPostgres,
  type DumpSink,
  dumpDatabase,
  finishPostgresRestore,
  openPostgresRestore,
  RESTORE_MARKER_FILE,
  type ReferencedBlobsQuery,
  restorePgliteDataDir,
} from './database-dump.js';

export interface BackupReport {
  file: string;
  bytes: number;
  createdAt: Date;
  tables: number;
  rows: number;
  blobs: number;
  durationMs: number;
}

/** A blob a dumped row refers to was gone when it was copied: its row was deleted meanwhile. */
class BlobGoneError extends Error {}

const ATTEMPTS = 3;

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes one archive with the database and every blob its rows refer to (decision 0027). The
 * database is dumped first, in one snapshot that also lists the blobs its rows refer to; then
 * those blobs are copied. A blob is written before the row that names it commits and removed only
 * after the row's deletion commits, so each one is in the store when it is copied, unless its row
 * was deleted after the snapshot: then the backup is taken again (three times at most). The
 * archive is written under a temporary name, flushed, and renamed when complete: a killed backup
 * leaves no file that looks like a backup.
 */
export async function createBackup(options: {
  db: Database;
  /** PostgreSQL: the backup role's connection (BYPASSRLS, pg_read_all_data). */
  backupUrl?: string | undefined;
  blobs: BlobStore;
  backupKey: Buffer;
  file: string;
  referencedBlobs: ReferencedBlobsQuery;
  now?: () => Date;
}): Promise<BackupReport> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await createOnce(options);
    } catch (error) {
      if (!(error instanceof BlobGoneError) || attempt >= ATTEMPTS) {
        if (error instanceof BlobGoneError)
          throw new BackupError(
            'blobs referred to by the database kept disappearing while they were copied (documents deleted during the backup); try again',
          );
        throw error;
      }
    }
  }
}

async function createOnce(options: Parameters<typeof createBackup>[0]): Promise<BackupReport> {
  const started = performance.now();
  const createdAt = (options.now ?? (() => new Date()))();
  const file = path.resolve(options.file);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(6).toString('hex')}.partial`,
  );
  const handle = await fs.open(temporary, 'wx', 0o600);
  let done = false;
  try {
    const writer = new ArchiveWriter(handle, options.backupKey);
    await writer.start();
    await writer.beginEntry({ kind: 'database' });
    const facts = await dumpDatabase(
      { db: options.db, backupUrl: options.backupUrl },
      options.referencedBlobs,
      (bytes) => writer.write(bytes),
    );
    const database = await writer.endEntry();
    const blobs: Manifest['blobs'] = [];
    for (const key of [...new Set(facts.blobKeys)].sort()) {
      const data = await options.blobs.get(key);
      if (!data) throw new BlobGoneError();
      await writer.beginEntry({ kind: 'blob', key });
      await writer.write(data);
      blobs.push({ key, ...(await writer.endEntry()) });
    }
    const manifest: Manifest = {
      format: 1,
      createdAt: createdAt.toISOString(),
      database: {
        kind: options.db.kind,
        dump: facts.dump,
        sha256: database.sha256,
        bytes: database.bytes,
        schemaVersion: facts.schemaVersion,
      },
      rowCounts: facts.rowCounts,
      blobs,
    };
    await finishArchive(writer, manifest);
    await handle.sync();
    await handle.close();
    await fs.rename(temporary, file);
    await syncDirectory(path.dirname(file));
    done = true;
    return {
      file,
      bytes: writer.written,
      createdAt,
      tables: Object.keys(facts.rowCounts).length,
      rows: Object.values(facts.rowCounts).reduce((sum, count) => sum + count, 0),
      blobs: blobs.length,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    if (!done) {
      await handle.close().catch(() => {});
      await fs.rm(temporary, { force: true });
    }
  }
}

/** Where a restore goes: an empty PostgreSQL database, or an empty embedded data directory. */
export type RestoreTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

export interface RestoreReport {
  manifest: Manifest;
  blobs: number;
  durationMs: number;
}

async function assertEmptyStore(blobs: BlobStore): Promise<void> {
  for await (const object of blobs.list()) {
    if (object.kind === 'blob')
      throw new BackupError(
        `the blob store is not empty (${blobs.driver === 's3' ? 'the bucket prefix' : 'the blobs directory'} holds files): restore into an empty one`,
      );
  }
}

/**
 * Restores an archive into an empty database and an empty blob store. The whole archive is
 * authenticated first, so a damaged or altered one changes nothing; then the target is checked
 * empty; then a marker is set (a table, or a file in the data directory) that stops Attest from
 * starting; then the database and the blobs are written; the marker goes last. A restore killed
 * half-way leaves the marker: Attest refuses to start on what it left.
 */
export async function restoreBackup(options: {
  file: string;
  backupKey: Buffer;
  target: RestoreTarget;
  blobs: BlobStore;
  /** Called after the marker is set and before anything else is written (tests kill here). */
  onMarked?: () => Promise<void> | void;
}): Promise<RestoreReport> {
  const started = performance.now();
  const { target, blobs } = options;
  const manifest = await verifyArchive(options.file, options.backupKey);
  if (manifest.database.kind !== target.kind)
    throw new BackupError(
      manifest.database.kind === 'postgres'
        ? 'the archive holds a PostgreSQL database: set DATABASE_URL to a new, empty database to restore into'
        : 'the archive holds an embedded database: unset DATABASE_URL and point ATTEST_DATA_DIR at a new, empty directory',
    );
  if (target.kind === 'postgres') await assertEmptyPostgres(target.url);
  else assertEmptyDataDir(target.dataDir);
  await assertEmptyStore(blobs);

  let database: DumpSink;
  if (target.kind === 'postgres') {
    database = await openPostgresRestore(target.url);
  } else {
    await fs.mkdir(target.dataDir, { recursive: true });
    await fs.writeFile(path.join(target.dataDir, RESTORE_MARKER_FILE), `${new Date().toISOString()}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
    const parts: Buffer[] = [];
    database = {
      async write(bytes) {
        parts.push(Buffer.from(bytes));
      },
      async end() {
        await restorePgliteDataDir(
          path.join(target.dataDir, 'pgdata'),
          new Blob([new Uint8Array(Buffer.concat(parts))]),
        );
      },
    };
  }
  await options.onMarked?.();
  let restoredBlobs = 0;
  await readArchive(options.file, options.backupKey, (header) => {
    if (header.kind === 'database') return database;
    if (header.kind !== 'blob') return null;
    const parts: Buffer[] = [];
    return {
      write(bytes) {
        parts.push(Buffer.from(bytes));
      },
      async end() {
        await blobs.put(header.key, Buffer.concat(parts));
        restoredBlobs += 1;
      },
    };
  });
  if (target.kind === 'postgres') await finishPostgresRestore(target.url);
  else await fs.rm(path.join(target.dataDir, RESTORE_MARKER_FILE));
  return { manifest, blobs: restoredBlobs, durationMs: Math.round(performance.now() - started) };
}
