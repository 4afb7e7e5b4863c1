import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import type { Database } from '../db/client.js';
import { resultRows } from '../db/client.js';
import { pgliteStartParams } from '../db/pglite.js';
import { BackupError } from './archive.js';

/**
 * The database side of a backup and a restore (decision 0027): what is dumped, in one snapshot
 * together with the rows counted and the blobs referenced, and how it is put back.
 */

/** The table a restore makes first and drops last: while it exists, Attest refuses to start. */
export const RESTORE_MARKER_TABLE = 'attest_restore_incomplete';
/** The embedded database's marker, a file in ATTEST_DATA_DIR, written before anything else. */
export const RESTORE_MARKER_FILE = 'restore-incomplete';

export class RestoreIncompleteError extends Error {
  override name = 'RestoreIncompleteError';
}

const TABLES_SQL = `
  SELECT n.nspname AS schema, c.relname AS name FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\\_%'
  ORDER BY 1, 2`;

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

type Query = (statement: string) => Promise<Record<string, unknown>[]>;

/** Rows of every table (`schema.table`), as the connection sees them (it must bypass RLS). */
export async function countRows(query: Query): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await query(TABLES_SQL)) {
    const schema = String(table.schema);
    const name = String(table.name);
    const [row] = await query(`SELECT count(*)::bigint AS n FROM ${quoteIdent(schema)}.${quoteIdent(name)}`);
    counts[`${schema}.${name}`] = Number(row?.n ?? 0);
  }
  return counts;
}

async function schemaVersion(query: Query): Promise<number> {
  const [row] = await query('SELECT coalesce(max(version), 0) AS v FROM attest_schema_migrations');
  return Number(row?.v ?? 0);
}

/** What was read in the dump's snapshot. */
export interface SnapshotFacts {
  rowCounts: Record<string, number>;
  /** Blob keys (`tenant/blob`) the dumped rows refer to. */
  blobKeys: string[];
  schemaVersion: number;
}

/** A query, run in the dump's snapshot, that answers the blobs rows refer to as `key` (tenant/blob). */
export type ReferencedBlobsQuery = string;

async function snapshotFacts(query: Query, referencedBlobs: ReferencedBlobsQuery): Promise<SnapshotFacts> {
  const blobKeys = (await query(referencedBlobs)).map((row) => String(row.key));
  return { rowCounts: await countRows(query), blobKeys, schemaVersion: await schemaVersion(query) };
}

/** A connection string for a PostgreSQL client tool: the password goes in PGPASSWORD, not argv. */
function clientToolTarget(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return {
    dbname: parsed.toString(),
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
  };
}

/** The tool's own message, without a connection string; for a one-line error. */
function toolFailure(tool: string, stderr: string, code: number | null): BackupError {
  const line = stderr
    .replace(/postgres(?:ql)?:\/\/\S*/gi, 'postgres://[redacted]')
    .split('\n')
    .map((text) => text.trim())
    .filter(Boolean)
    .slice(0, 2)
    .join(' ');
  return new BackupError(`${tool} failed (exit ${code ?? 'signal'})${line ? `: ${line.slice(0, 300)}` : ''}`);
}

function missingTool(tool: string): BackupError {
  return new BackupError(`${tool} is missing: install the PostgreSQL client tools (15 or newer) on the PATH`);
}

/**
 * Dumps the database, calling `write` with its bytes in order. PostgreSQL: pg_dump (custom
 * format) as the backup role, in a snapshot exported by a repeatable-read transaction in which the
 * rows are counted and the referenced blobs listed. PGlite: the data directory, copied while the
 * one connection is held, after the same reads.
 */
export async function dumpDatabase(
  source: { db: Database; backupUrl?: string | undefined },
  referencedBlobs: ReferencedBlobsQuery,
  write: (bytes: Buffer) => Promise<void>,
): Promise<SnapshotFacts & { dump: 'pg_dump-custom' | 'pglite-datadir-tgz' }> {
  const { db } = source;
  if (db.embeddedSnapshot) {
    const { read, tarball } = await db.embeddedSnapshot((query) => snapshotFacts(query, referencedBlobs));
    const bytes = Buffer.from(await tarball.arrayBuffer());
    for (let at = 0; at < bytes.length; at += 1 << 20) await write(bytes.subarray(at, at + (1 << 20)));
    return { ...read, dump: 'pglite-datadir-tgz' };
  }
  if (!source.backupUrl) throw new BackupError('no database to back up (DATABASE_URL)');
  const client = new pg.Client({ connectionString: source.backupUrl });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = String((await client.query('SELECT pg_export_snapshot() AS s')).rows[0]?.s);
    const query: Query = async (statement) => (await client.query(statement)).rows;
    let facts: SnapshotFacts;
    try {
      facts = await snapshotFacts(query, referencedBlobs);
    } catch (error) {
      if ((error as { code?: string }).code === '42501')
        throw new BackupError(
          'the backup role may not read every row: it needs BYPASSRLS and pg_read_all_data (ATTEST_BACKUP_DATABASE_URL, see docs/operations.md)',
        );
      throw error;
    }
    const target = clientToolTarget(source.backupUrl);
    const child = spawn(
      'pg_dump',
      ['--format=custom', `--snapshot=${snapshot}`, '--no-password', '--dbname', target.dbname],
      { env: target.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr = `${stderr}${data}`.slice(-4000);
    });
    const exited = once(child, 'close') as Promise<[number | null]>;
    const spawnFailed = once(child, 'error').then(([error]) => {
      throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? missingTool('pg_dump') : error;
    });
    const copy = (async () => {
      for await (const data of child.stdout) await write(data as Buffer);
    })();
    const [code] = await Promise.race([
      Promise.all([copy, exited]).then(([, result]) => result),
      spawnFailed,
    ]);
    if (code !== 0 && /row-level security/.test(stderr))
      throw new BackupError(
        'pg_dump may not read every row as this role: back up as a role with BYPASSRLS and pg_read_all_data (ATTEST_BACKUP_DATABASE_URL, see docs/operations.md)',
      );
    if (code !== 0) throw toolFailure('pg_dump', stderr, code);
    await client.query('COMMIT');
    return { ...facts, dump: 'pg_dump-custom' };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Tables, indexes, sequences … outside the system schemas: 0 is an empty database. */
async function relationCount(query: Query): Promise<number> {
  const [row] = await query(`
    SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'`);
  return Number(row?.n ?? 0);
}

/** Refuses to restore over anything: the PostgreSQL database must hold no relation at all. */
export async function assertEmptyPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const query: Query = async (statement) => (await client.query(statement)).rows;
    const marker = await query(`SELECT to_regclass('public.${RESTORE_MARKER_TABLE}') IS NOT NULL AS m`);
    if (marker[0]?.m)
      throw new BackupError(
        'the database holds an interrupted restore: drop it, create it again empty, and restore again',
      );
    const relations = await relationCount(query);
    if (relations > 0)
      throw new BackupError(
        `the database is not empty (${relations} tables, indexes or sequences): restore into a new, empty database (createdb), never over one in use`,
      );
  } finally {
    await client.end();
  }
}

/** Where a restore writes the dump's bytes, in order; `end` waits until the database has them. */
export interface DumpSink {
  write(bytes: Buffer): Promise<void>;
  end(): Promise<void>;
}

/**
 * Restores a pg_dump (custom format), fed through the returned sink, into the empty database at
 * `url`, as scripts/restore.sh did (decision 0022): the roles made when missing and granted to the
 * login role, then pg_restore --no-owner --single-transaction. The marker table is made first, in
 * its own commit, and dropped by `finishPostgresRestore` once the blobs are back too.
 */
export async function openPostgresRestore(url: string): Promise<DumpSink> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `CREATE TABLE ${RESTORE_MARKER_TABLE} (started_at timestamptz NOT NULL DEFAULT now())`,
    );
    await client
      .query(`SET client_min_messages = warning;
      DO $$ BEGIN
        -- Asked first: CREATE ROLE checks CREATEROLE before it finds the role exists.
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'attest_app') THEN
          CREATE ROLE attest_app NOLOGIN;
        END IF;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'attest_platform') THEN
          CREATE ROLE attest_platform NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
      DO $$ BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
           AND NOT (pg_has_role(current_user, 'attest_app', 'MEMBER')
                    AND pg_has_role(current_user, 'attest_platform', 'MEMBER')) THEN
          EXECUTE format('GRANT attest_app, attest_platform TO %I', current_user);
        END IF;
      END $$;`)
      .catch(() => {
        throw new BackupError(
          'cannot create or grant the roles attest_app and attest_platform (the login role needs CREATEROLE once, or create them beforehand)',
        );
      });
  } finally {
    await client.end();
  }
  const target = clientToolTarget(url);
  const child = spawn(
    'pg_restore',
    ['--no-owner', '--exit-on-error', '--single-transaction', '--no-password', '--dbname', target.dbname],
    { env: target.env, stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => {
    stderr = `${stderr}${data}`.slice(-4000);
  });
  let exitCode: number | null | undefined;
  const exited = (once(child, 'close') as Promise<[number | null]>).then(([code]) => {
    exitCode = code;
    return code;
  });
  let spawnError: unknown;
  child.on('error', (error) => {
    spawnError = (error as NodeJS.ErrnoException).code === 'ENOENT' ? missingTool('pg_restore') : error;
  });
  // pg_restore that stopped early closes its stdin: its exit status is the error to report.
  child.stdin.on('error', () => {});
  return {
    async write(bytes) {
      if (spawnError) throw spawnError;
      if (exitCode !== undefined) return;
      if (!child.stdin.write(bytes)) await Promise.race([once(child.stdin, 'drain'), exited]);
    },
    async end() {
      child.stdin.end();
      const code = await exited;
      if (spawnError) throw spawnError;
      if (code !== 0) throw toolFailure('pg_restore', stderr, code);
    },
  };
}

/** The last step of a restore on PostgreSQL: the database may start now. */
export async function finishPostgresRestore(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP TABLE ${RESTORE_MARKER_TABLE}`);
  } finally {
    await client.end();
  }
}

/** Refuses a data directory with a database in it (or a restore's leftovers). */
export function assertEmptyDataDir(dataDir: string): void {
  if (fs.existsSync(path.join(dataDir, RESTORE_MARKER_FILE)))
    throw new BackupError(
      `${dataDir} holds an interrupted restore: remove ${path.join(dataDir, 'pgdata')}, ${path.join(dataDir, 'blobs')} and ${path.join(dataDir, RESTORE_MARKER_FILE)}, then restore again`,
    );
  const pgdata = path.join(dataDir, 'pgdata');
  if (fs.existsSync(pgdata) && fs.readdirSync(pgdata).length > 0)
    throw new BackupError(
      `${dataDir} already holds a database (${pgdata}): restore into a new, empty ATTEST_DATA_DIR, never over one in use`,
    );
}

/** PGlite's data directory from its tarball; `dir` must not hold a database. */
export async function restorePgliteDataDir(dir: string, tarball: Blob): Promise<void> {
  const onDisk = await PGlite.create(dir, { loadDataDir: tarball, startParams: pgliteStartParams() });
  await onDisk.close();
}

/** The start-up check: a database left by an interrupted restore does not start as if whole. */
export async function refuseInterruptedRestore(db: Database): Promise<void> {
  const rows = resultRows<{ m: boolean }>(
    await db.orm.execute(sql.raw(`SELECT to_regclass('public.${RESTORE_MARKER_TABLE}') IS NOT NULL AS m`)),
  );
  if (rows[0]?.m) throw interrupted('the database');
}

export function refuseInterruptedEmbeddedRestore(dataDir: string): void {
  if (fs.existsSync(path.join(dataDir, RESTORE_MARKER_FILE))) throw interrupted(dataDir);
}

function interrupted(where: string): RestoreIncompleteError {
  return new RestoreIncompleteError(
    `${where} was left by a restore that did not finish (attest restore): it may lack data or files. Restore the backup again into a new, empty database and data directory`,
  );
}
