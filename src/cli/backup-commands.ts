import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { blobStoreFor, openConfiguredDatabase } from '../app.js';
import { REFERENCED_BLOB_KEYS_SQL } from '../modules/documents/documents.jobs.js';
import { createBackup, restoreBackup } from '../platform/backup/backup.js';
import { loadBackupKey } from '../platform/backup/backup-key.js';
import { archiveName } from '../platform/backup/backup-target.js';
import type { Config } from '../platform/config.js';
import { acquireEmbeddedLock } from '../platform/db/embedded-lock.js';

type Command = (args: string[], config: Config) => Promise<number>;

export class BackupUsageError extends Error {}

function parse<const Options extends Record<string, { type: 'string' | 'boolean' }>>(
  args: string[],
  options: Options,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error) {
    throw new BackupUsageError((error as Error).message);
  }
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** `attest backup [--out FILE]`: one sealed archive of the database and its blobs. */
export const backup: Command = async (args, config) => {
  const { values } = parse(args, { out: { type: 'string' } });
  const backupKey = loadBackupKey(config);
  const now = new Date();
  const file = values.out
    ? path.resolve(values.out)
    : path.join(
        config.backup.dir && !config.backup.dir.startsWith('s3://') ? config.backup.dir : process.cwd(),
        archiveName(now),
      );
  if (fs.existsSync(file)) throw new BackupUsageError(`${file} exists already; choose another --out`);
  const db = await openConfiguredDatabase(config);
  try {
    const report = await createBackup({
      db,
      backupUrl: config.backup.databaseUrl,
      blobs: blobStoreFor(config),
      backupKey,
      file,
      referencedBlobs: REFERENCED_BLOB_KEYS_SQL,
      now: () => now,
    });
    process.stdout.write(
      `Backup written to ${report.file}: ${megabytes(report.bytes)}, ${report.tables} tables, ${report.rows} rows, ` +
        `${report.blobs} blob(s), in ${seconds(report.durationMs)}. Sealed with the backup key; keep the master key apart from it.\n`,
    );
    return 0;
  } finally {
    await db.close();
  }
};

/** `attest restore ARCHIVE`: into an empty database and blob store only. */
export const restore: Command = async (args, config) => {
  const { positionals } = parse(args, {}, true);
  if (positionals.length !== 1) throw new BackupUsageError('give exactly one archive to restore');
  const file = path.resolve(positionals[0] as string);
  const backupKey = loadBackupKey(config, { create: false });
  // The embedded data directory stays locked for the whole restore: no start can open it meanwhile.
  const release = config.databaseUrl ? () => {} : acquireEmbeddedLock(config.dataDir);
  try {
    const report = await restoreBackup({
      file,
      backupKey,
      target: config.databaseUrl
        ? { kind: 'postgres', url: config.databaseUrl }
        : { kind: 'pglite', dataDir: config.dataDir },
      blobs: blobStoreFor(config),
    });
    const rows = Object.values(report.manifest.rowCounts).reduce((sum, count) => sum + count, 0);
    const keyHint =
      !config.databaseUrl && !config.masterKey && !fs.existsSync(path.join(config.dataDir, 'master.key'))
        ? ` Documents and sign-in secrets open only with the master key of the installation that made it: set ATTEST_MASTER_KEY, or copy its master.key into ${config.dataDir}.`
        : '';
    process.stdout.write(
      `Restored ${file} (taken ${report.manifest.createdAt}): ${Object.keys(report.manifest.rowCounts).length} tables, ` +
        `${rows} rows, ${report.blobs} blob(s), in ${seconds(report.durationMs)}. Start Attest on it: it applies any migration newer than the backup.${keyHint}\n`,
    );
    return 0;
  } finally {
    release();
  }
};

export const backupKey: Command = async ([sub, ...args]) => {
  parse(args, {});
  if (sub !== 'generate') throw new BackupUsageError(`unknown backup-key command "${sub ?? ''}"`);
  // To the terminal only: the operator stores it in their secret manager, apart from the master key.
  process.stdout.write(`${randomBytes(32).toString('base64')}\n`);
  return 0;
};
