import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase } from '../../src/platform/db/client.js';
import { pgliteTemplate, postgresTemplate, retryWhileInUse, withDatabaseName } from './database-templates.js';

/**
 * The databases every database test runs against: embedded PGlite always, and PostgreSQL when
 * TEST_DATABASE_URL is set. CI must exercise PostgreSQL, so there a missing URL is an error,
 * not a skip.
 *
 * Each test database is a copy of one migrated template (see database-templates.ts): migrating
 * from scratch costs seconds per database, a copy a fraction of that.
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
    return openDatabase({ pgliteDir: 'memory://', pgliteTemplate: await pgliteTemplate() });
  },
};

/**
 * A new PostgreSQL database on the TEST_DATABASE_URL server, empty or a copy of `template`: its
 * URL, and how to drop it.
 */
export async function freshPostgresDatabase(
  template?: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set');
  const server = postgresUrl;
  const name = `attest_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await retryWhileInUse(admin, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabaseName(server, name),
    async drop() {
      const cleanup = new pg.Client({ connectionString: server });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

const postgres: TestDatabaseKind = {
  name: 'postgres',
  async create() {
    if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set');
    const fresh = await freshPostgresDatabase(await postgresTemplate(postgresUrl));
    const db = await openDatabase({ url: fresh.url });
    return {
      ...db,
      async close() {
        await db.close();
        await fresh.drop();
      },
    };
  },
};

export const hasPostgres = postgresUrl !== undefined;

export const testDatabaseKinds: TestDatabaseKind[] = postgresUrl ? [pglite, postgres] : [pglite];
