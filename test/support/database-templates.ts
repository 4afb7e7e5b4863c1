import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../src/platform/db/client.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { migrations } from '../../src/platform/db/migrations/index.js';

/**
 * Migrated, empty template databases that test databases are copied from, one per set of
 * migrations. Several vitest workers, and other people's test runs on the same machine and
 * PostgreSQL server, share them: a template is named by a hash of what it holds, is built at most
 * once under a lock (or raced for, with the loser's copy discarded), and is never dropped, because
 * another run may be copying it at that moment.
 */

/** PGlite's version: a data directory is tied to the postgres inside the package. */
const pgliteVersion: string = (() => {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite'); // …/pglite/dist/index.cjs
  const manifest = path.join(path.dirname(entry), '..', 'package.json');
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
})();

/** What a template holds: every migration's version, name and text (and, for PGlite, its version). */
export const migrationsHash = createHash('sha256')
  .update(JSON.stringify(migrations.map((migration) => [migration.version, migration.name, migration.sql])))
  .digest('hex')
  .slice(0, 16);

// ---------------------------------------------------------------------------------------------- PGlite

let pglitePromise: Promise<Blob> | undefined;

/**
 * The migrated PGlite data directory as a tarball (`dumpDataDir`), kept in the OS temp directory
 * so the next test file (each runs in its own process) loads it instead of running initdb and the
 * migrations again.
 */
export function pgliteTemplate(): Promise<Blob> {
  pglitePromise ??= loadOrBuildPgliteTemplate().catch((error: unknown) => {
    pglitePromise = undefined;
    throw error;
  });
  return pglitePromise;
}

async function loadOrBuildPgliteTemplate(): Promise<Blob> {
  const file = path.join(os.tmpdir(), `attest-test-pglite-${pgliteVersion}-${migrationsHash}.tar`);
  try {
    return new Blob([fs.readFileSync(file)]);
  } catch {
    // Not built yet on this machine (or unreadable): build it.
  }
  const db = await openDatabase({ pgliteDir: 'memory://' });
  let tarball: Blob;
  try {
    await migrate(db);
    const client = (db.orm as unknown as { $client: import('@electric-sql/pglite').PGlite }).$client;
    // Written out, the data files need no WAL replay when a copy starts.
    await client.exec('CHECKPOINT');
    tarball = await client.dumpDataDir('none');
  } finally {
    await db.close();
  }
  // Written beside its final name and renamed, so a reader never sees half a tarball.
  const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    fs.writeFileSync(partial, Buffer.from(await tarball.arrayBuffer()), { mode: 0o600 });
    fs.renameSync(partial, file);
  } catch {
    fs.rmSync(partial, { force: true }); // no cache this time; the tarball in memory still serves
  }
  return tarball;
}

// ------------------------------------------------------------------------------------------ PostgreSQL

const LOCK_KEY = 7_341_017; // serialises template builders on one database of the server
const templates = new Map<string, Promise<string>>();

export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

const sqlState = (error: unknown) => (error as { code?: string }).code;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `statement`, retrying while PostgreSQL refuses because a session is still connected to the
 * database it names (SQLSTATE 55006): a builder that just disconnected may not have left yet.
 */
export async function retryWhileInUse(admin: pg.Client, statement: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await admin.query(statement);
      return;
    } catch (error) {
      if (sqlState(error) !== '55006' || attempt >= 100) throw error;
      await sleep(100);
    }
  }
}

/** The name of the migrated template database on the server at `serverUrl`, built if missing. */
export function postgresTemplate(serverUrl: string): Promise<string> {
  let template = templates.get(serverUrl);
  if (!template) {
    template = ensurePostgresTemplate(serverUrl).catch((error: unknown) => {
      templates.delete(serverUrl);
      throw error;
    });
    templates.set(serverUrl, template);
  }
  return template;
}

async function ensurePostgresTemplate(serverUrl: string): Promise<string> {
  const name = `attest_template_${migrationsHash}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const exists = async () =>
    ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
  try {
    if (await exists()) return name;
    await admin.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      if (await exists()) return name;
      // Built under another name and renamed once complete: a template name always means a
      // migrated database, even if this process dies halfway.
      const building = `attest_building_${migrationsHash}_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${building}`);
      try {
        const db = await openDatabase({ url: withDatabaseName(serverUrl, building) });
        try {
          await migrate(db);
        } finally {
          await db.close();
        }
        // Nobody connects to a template again: copies only read it.
        await admin.query(`ALTER DATABASE ${building} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`);
        await retryWhileInUse(admin, `ALTER DATABASE ${building} RENAME TO ${name}`);
      } catch (error) {
        // A run holding the lock of another database on this server may have won the race.
        const lost = sqlState(error) === '42P04';
        await admin.query(`ALTER DATABASE ${building} WITH IS_TEMPLATE false`).catch(() => {});
        await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`).catch(() => {});
        if (!lost) throw error;
      }
      return name;
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  } finally {
    await admin.end();
  }
}
