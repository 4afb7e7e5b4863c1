import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { refuseInterruptedRestore } from '../backup/database-dump.js';
import { type Database, resultRows } from './client.js';
import { migrations as allMigrations, type Migration } from './migrations/index.js';

const LOCK_KEY = 7_341_002; // any constant: serialises concurrent migrators on one database

export interface MigrationReport {
  applied: number[];
  current: number;
}

function checksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

async function ensureLedger(db: Database): Promise<void> {
  await db.runScript(`
    CREATE TABLE IF NOT EXISTS attest_schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    );`);
}

async function appliedMigrations(db: Database): Promise<Map<number, string>> {
  const result = await db.orm.execute(
    sql`select version, checksum from attest_schema_migrations order by version`,
  );
  const rows = resultRows<{ version: number; checksum: string }>(result);
  return new Map(rows.map((row) => [Number(row.version), row.checksum]));
}

/**
 * Applies every pending migration, each in its own transaction together with its ledger row, so a
 * failed migration leaves the schema as it was. An applied migration whose text has changed is an
 * error: migrations are append-only.
 */
export async function migrate(
  database: Database,
  migrations: readonly Migration[] = allMigrations,
): Promise<MigrationReport> {
  // A migration may rewrite a large table: it runs under the long statement timeout (decision 0023).
  const db = database.forLongWork();
  // A database an interrupted restore left does not start as if it were whole (decision 0027).
  await refuseInterruptedRestore(db);
  await ensureLedger(db);
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await appliedMigrations(db);
    const recorded = done.get(migration.version);
    if (recorded !== undefined) {
      if (recorded !== checksum(migration)) {
        throw new Error(
          `Migration ${migration.version} (${migration.name}) was changed after it was applied.`,
        );
      }
      continue;
    }
    const lock = db.kind === 'postgres' ? `SELECT pg_advisory_xact_lock(${LOCK_KEY});` : '';
    // The guard makes a migrator that lost the race to another process a no-op.
    const ran = await db
      .runScript(`${lock}
      DO $guard$ BEGIN
        IF EXISTS (SELECT 1 FROM attest_schema_migrations WHERE version = ${migration.version}) THEN
          RAISE EXCEPTION 'attest:already-applied';
        END IF;
      END $guard$;
      ${migration.sql}
      INSERT INTO attest_schema_migrations (version, name, checksum)
        VALUES (${migration.version}, '${migration.name.replace(/'/g, "''")}', '${checksum(migration)}');`)
      .then(
        () => true,
        (error: unknown) => {
          if (error instanceof Error && error.message.includes('attest:already-applied')) return false;
          throw error;
        },
      );
    if (ran) applied.push(migration.version);
  }
  return { applied, current: migrations.at(-1)?.version ?? 0 };
}

/** True when every known migration is recorded as applied (used by /readyz). */
export async function isSchemaCurrent(
  db: Database,
  migrations: readonly Migration[] = allMigrations,
): Promise<boolean> {
  try {
    const done = await appliedMigrations(db);
    return migrations.every((migration) => done.get(migration.version) === checksum(migration));
  } catch {
    return false;
  }
}
