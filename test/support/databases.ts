import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase } from '../../src/platform/db/client.js';
import { migrate } from '../../src/platform/db/migrate.js';

/**
 * The databases every database test runs against: embedded PGlite always, and PostgreSQL when
 * TEST_DATABASE_URL is set. CI must exercise PostgreSQL, so there a missing URL is an error,
 * not a skip.
 */
export interface TestDatabaseKind {
  name: 'pglite' | 'postgres';
  /** A fresh, migrated, empty database; `close` drops it. */
  create(): Promise<Database>;
}

const postgresUrl = process.env.TEST_DATABASE_URL;
if (process.env.CI === 'true' && !postgresUrl) {
  throw new Error('CI=true but TEST_DATABASE_URL is not set: the PostgreSQL suite must run in CI.');
}

const pglite: TestDatabaseKind = {
  name: 'pglite',
  async create() {
    const db = await openDatabase({ pgliteDir: 'memory://' });
    await migrate(db);
    return db;
  },
};

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

const postgres: TestDatabaseKind = {
  name: 'postgres',
  async create() {
    if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set');
    const name = `attest_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const db = await openDatabase({ url: withDatabaseName(postgresUrl, name) });
    await migrate(db);
    return {
      ...db,
      async close() {
        await db.close();
        const cleanup = new pg.Client({ connectionString: postgresUrl });
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await cleanup.end();
      },
    };
  },
};

export const testDatabaseKinds: TestDatabaseKind[] = postgresUrl ? [pglite, postgres] : [pglite];
