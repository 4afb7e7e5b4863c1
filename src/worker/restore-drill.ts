import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { verifyAuditChain } from '../modules/audit/audit.service.js';
import { allTenantIds } from '../modules/tenants/tenants.jobs.js';
import { BackupError, type Manifest } from '../platform/backup/archive.js';
import { restoreBackup } from '../platform/backup/backup.js';
import type { StoredArchive } from '../platform/backup/backup-target.js';
import { countRows } from '../platform/backup/database-dump.js';
import type { Clock } from '../platform/clock.js';
import type { Sealer } from '../platform/crypto/sealing.js';
import { type Database, openDatabase, resultRows } from '../platform/db/client.js';
import { withPlatform } from '../platform/db/tenancy.js';
import { tenantOfBlobKey } from '../platform/storage/blob-store.js';
import { createBlobVault } from '../platform/storage/blob-vault.js';
import { createLocalBlobStore } from '../platform/storage/local-blob-store.js';

/** Documents decrypted per drill: spread over the archive's blobs, enough to catch a wrong key. */
const DOCUMENT_SAMPLE = 20;

export interface DrillResult {
  ok: boolean;
  /** Public: counts and durations; on failure a sentence without paths or values. */
  facts: Record<string, number | string | boolean>;
  /** Why it failed, for the operator's log (not public: a tool's message may name objects). */
  error?: string;
}

function sample<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_, index) => items[Math.floor(index * step)] as T);
}

function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * A restore drill (decision 0027): the archive is restored with `attest restore`'s own code into a
 * scratch database (PostgreSQL: a database of its own, made and dropped by the backup role;
 * embedded: a PGlite data directory under the system's temporary directory) and a scratch blob
 * directory, then checked: every table's row count against the manifest, a sample of documents
 * decrypted with the live master key and the restored data keys, every tenant's audit chain. The
 * restore's duration is the measured recovery time.
 */
export async function runRestoreDrill(options: {
  archive: StoredArchive;
  backupKey: Buffer;
  sealer: Sealer;
  clock: Clock;
  kind: 'postgres' | 'pglite';
  /** PostgreSQL: the backup role (BYPASSRLS, CREATEDB, member of attest_app and attest_platform). */
  backupUrl?: string | undefined;
}): Promise<DrillResult> {
  const scratchDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attest-drill-'));
  const scratchName = `attest_drill_${randomBytes(6).toString('hex')}`;
  let admin: pg.Client | null = null;
  let scratch: Database | null = null;
  try {
    let target: Parameters<typeof restoreBackup>[0]['target'];
    if (options.kind === 'postgres') {
      if (!options.backupUrl) throw new BackupError('no backup role to run the drill as');
      admin = new pg.Client({ connectionString: options.backupUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${scratchName}`);
      target = { kind: 'postgres', url: withDatabaseName(options.backupUrl, scratchName) };
    } else {
      target = { kind: 'pglite', dataDir: path.join(scratchDir, 'data') };
    }
    const blobs = createLocalBlobStore(path.join(scratchDir, 'blobs'));
    const restored = await restoreBackup({
      file: options.archive.file,
      backupKey: options.backupKey,
      target,
      blobs,
    });
    const manifest: Manifest = restored.manifest;
    scratch =
      target.kind === 'postgres'
        ? await openDatabase({ url: target.url })
        : await openDatabase({ pgliteDir: path.join(target.dataDir, 'pgdata') });
    const db = scratch;
    const counts = await countRows(async (statement) => resultRows(await db.orm.execute(sql.raw(statement))));
    const mismatched = Object.entries(manifest.rowCounts).filter(([table, rows]) => counts[table] !== rows);
    const rowsVerified = Object.values(manifest.rowCounts).reduce((sum, rows) => sum + rows, 0);
    const tenants = await withPlatform(db, allTenantIds);
    let brokenChains = 0;
    for (const { id } of tenants) if (!(await verifyAuditChain(db, id)).ok) brokenChains += 1;
    const vault = createBlobVault({ db, store: blobs, sealer: options.sealer, clock: options.clock });
    let decrypted = 0;
    for (const { key } of sample(manifest.blobs, DOCUMENT_SAMPLE)) {
      const { tenantId, blobId } = tenantOfBlobKey(key);
      await vault.read(tenantId, blobId);
      decrypted += 1;
    }
    const facts = {
      restoreMs: restored.durationMs,
      archiveBytes: options.archive.bytes,
      tablesVerified: Object.keys(manifest.rowCounts).length,
      rowsVerified,
      documentsDecrypted: decrypted,
      documentsInBackup: manifest.blobs.length,
      tenantsVerified: tenants.length - brokenChains,
    };
    if (mismatched.length > 0)
      return {
        ok: false,
        facts: { ...facts, failure: `${mismatched.length} tables differ from the manifest` },
      };
    if (brokenChains > 0)
      return { ok: false, facts: { ...facts, failure: `${brokenChains} audit chains are broken` } };
    return { ok: true, facts };
  } catch (error) {
    const failure =
      error instanceof BackupError &&
      /damaged|altered|not an Attest|another backup key|incomplete/.test(error.message)
        ? 'the archive does not authenticate with the backup key'
        : `the restore failed (${(error as Error).name})`;
    return { ok: false, facts: { failure }, error: (error as Error).message?.slice(0, 500) };
  } finally {
    await scratch?.close().catch(() => {});
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${scratchName} WITH (FORCE)`).catch(() => {});
      await admin.end().catch(() => {});
    }
    await fs.rm(scratchDir, { recursive: true, force: true });
  }
}
