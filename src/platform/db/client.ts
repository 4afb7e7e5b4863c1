import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import type { Logger } from '../logging/logger.js';
import { createPglite } from './pglite.js';

/*
 * No schema object is handed to Drizzle: queries name their tables (each module imports its own
 * *.schema.ts), and the relational `orm.query.*` API, the only user of a schema index, is not used.
 * So platform/ needs no index of the modules' tables (docs/decisions/0013-module-boundaries.md).
 */
export type Schema = Record<string, never>;
export type Orm = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

/**
 * One handle over either PostgreSQL (node-postgres pool) or embedded PGlite. Everything above this
 * file speaks Drizzle through `orm`; only migrations need the raw multi-statement `runScript`.
 */
export interface Database {
  readonly kind: 'postgres' | 'pglite';
  readonly orm: Orm;
  /** Runs a multi-statement SQL script inside one transaction. */
  runScript(script: string): Promise<void>;
  /**
   * PostgreSQL only: several statements without parameters as one simple query, one round trip
   * and one implicit transaction (an error rolls back all of them); the last statement's rows.
   * For a hot path that cannot afford BEGIN and COMMIT trips (tenancy.ts, platformStatement).
   */
  inOneRoundTrip?(statements: string): Promise<unknown[]>;
  close(): Promise<void>;
}

export interface DatabaseLocation {
  /** A postgres:// URL; when absent the embedded PGlite database is used. */
  url?: string | undefined;
  /** Where PGlite keeps its files; `memory://` keeps them in memory (tests). */
  pgliteDir?: string | undefined;
  /** A data-directory tarball (PGlite `dumpDataDir`) a `memory://` database starts from: tests' migrated template. */
  pgliteTemplate?: Blob | undefined;
  /** Where a PostgreSQL pool's connection errors are logged. */
  logger?: Pick<Logger, 'error'> | undefined;
}

export async function openDatabase(location: DatabaseLocation): Promise<Database> {
  if (location.url) return openPostgres(location.url, location.logger);
  return openPglite(location.pgliteDir ?? 'memory://', location.pgliteTemplate);
}

/**
 * A pool error as a log line: its type, PostgreSQL code (57P01: the server terminated the
 * connection) and message, with any connection string cut out, so no password reaches a log.
 */
export function describePoolError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  return {
    type: error.name,
    code: (error as { code?: unknown }).code,
    message: error.message
      .replace(/postgres(?:ql)?:\/\/\S*/gi, 'postgres://[redacted]')
      .replace(/password=\S*/gi, 'password=[redacted]')
      .slice(0, 300),
  };
}

function openPostgres(url: string, logger?: Pick<Logger, 'error'>): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10, idleTimeoutMillis: 30_000 });
  // An idle client that loses its server must not take the process down (the next query
  // reconnects), but an operator must see it: a restart, a failover, a killed backend.
  pool.on('error', (error) => logger?.error({ err: describePoolError(error) }, 'database pool error'));
  const orm = drizzleNodePostgres({ client: pool }) as unknown as Orm;
  let closed = false;
  return {
    kind: 'postgres',
    orm,
    async runScript(script) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(script);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async inOneRoundTrip(statements) {
      const results = (await pool.query(statements)) as unknown as pg.QueryResult | pg.QueryResult[];
      return (Array.isArray(results) ? results.at(-1)?.rows : results.rows) ?? [];
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

async function openPglite(dir: string, template: Blob | undefined): Promise<Database> {
  const client = await createPglite({ dir, template });
  const orm = drizzlePglite({ client }) as unknown as Orm;
  let closed = false;
  return {
    kind: 'pglite',
    orm,
    async runScript(script) {
      await client.transaction(async (tx) => {
        await tx.exec(script);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}

/** Rows of a raw `execute()` result; node-postgres and PGlite both answer with `{ rows }`. */
export function resultRows<Row>(result: unknown): Row[] {
  return (result as { rows: Row[] }).rows;
}
