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
  /**
   * The same database for work that may run long (migrations, a tenant's purge): on PostgreSQL a
   * second small pool whose statement timeout is `longStatementMs` instead of `statementMs`,
   * opened on first use and closed with this one. PGlite (no network, one process) is itself.
   */
  forLongWork(): Database;
  /**
   * PGlite only: runs `read` and then copies the data directory (a gzipped tarball, PGlite's
   * `dumpDataDir`) while holding the one connection's transaction, so no other transaction
   * commits in between: what `read` saw is what the copy holds (the backup, decision 0027).
   */
  embeddedSnapshot?<T>(
    read: (query: (statement: string) => Promise<Record<string, unknown>[]>) => Promise<T>,
  ): Promise<{ read: T; tarball: Blob }>;
  /** PostgreSQL only: the pool's connections now (for the metrics). */
  poolUse?(): { total: number; idle: number; waiting: number; max: number };
  close(): Promise<void>;
}

/**
 * How long PostgreSQL may take before a request stops waiting (decision 0023). Without these a
 * database that accepts connections but never answers held every request, and /readyz, for as long
 * as the client waited.
 */
export interface PostgresTimeouts {
  /** Opening a connection (TCP, start-up, authentication), and waiting for a free one in the pool. */
  readonly connectMs: number;
  /** `statement_timeout`: the server cancels a statement running longer (0: no limit). */
  readonly statementMs: number;
  /** `idle_in_transaction_session_timeout`: the server ends a session idle inside a transaction. */
  readonly idleInTransactionMs: number;
  /** The statement timeout of `forLongWork()` (migrations, purges); 0: no limit. */
  readonly longStatementMs: number;
  /**
   * How much longer than the statement timeout the client waits for any answer at all. A server
   * that is alive cancels the statement itself; one that has gone silent (frozen, behind a dead
   * link) never will, and the client drops the connection this much later.
   */
  readonly clientGraceMs: number;
}

export const defaultPostgresTimeouts: PostgresTimeouts = Object.freeze({
  connectMs: 5_000,
  statementMs: 30_000,
  idleInTransactionMs: 60_000,
  longStatementMs: 600_000,
  clientGraceMs: 5_000,
});

export interface DatabaseLocation {
  /** A postgres:// URL; when absent the embedded PGlite database is used. */
  url?: string | undefined;
  /** Where PGlite keeps its files; `memory://` keeps them in memory (tests). */
  pgliteDir?: string | undefined;
  /** A data-directory tarball (PGlite `dumpDataDir`) a `memory://` database starts from: tests' migrated template. */
  pgliteTemplate?: Blob | undefined;
  /** Where a PostgreSQL pool's connection errors are logged. */
  logger?: Pick<Logger, 'error'> | undefined;
  /** PostgreSQL's timeouts; unset ones take `defaultPostgresTimeouts`. */
  timeouts?: Partial<PostgresTimeouts> | undefined;
}

export async function openDatabase(location: DatabaseLocation): Promise<Database> {
  if (location.url)
    return openPostgres(location.url, location.logger, { ...defaultPostgresTimeouts, ...location.timeouts });
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

/**
 * A node-postgres client that drops its connection when a statement got no answer in time
 * (`query_timeout`): node-postgres rejects the query but would keep the connection, whose late
 * answer could then be taken for the next statement's. Destroyed, the pool discards it.
 */
class GuardedClient extends pg.Client {
  override query(...args: unknown[]): never {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result && typeof (result as Promise<unknown>).catch === 'function') {
      (result as Promise<unknown>).catch((error: unknown) => {
        if (error instanceof Error && error.message === 'Query read timeout') {
          (
            this as unknown as { connection?: { stream?: { destroy(): void } } }
          ).connection?.stream?.destroy();
        }
      });
    }
    return result as never;
  }
}

function createPool(url: string, max: number, statementMs: number, timeouts: PostgresTimeouts) {
  return new pg.Pool({
    Client: GuardedClient,
    connectionString: url,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: timeouts.connectMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(statementMs > 0
      ? { statement_timeout: statementMs, query_timeout: statementMs + timeouts.clientGraceMs }
      : {}),
    ...(timeouts.idleInTransactionMs > 0
      ? { idle_in_transaction_session_timeout: timeouts.idleInTransactionMs }
      : {}),
  });
}

function openPostgres(
  url: string,
  logger: Pick<Logger, 'error'> | undefined,
  timeouts: PostgresTimeouts,
): Database {
  const pool = createPool(url, 10, timeouts.statementMs, timeouts);
  let long: { pool: pg.Pool; db: Database } | undefined;
  const db = postgresOver(
    pool,
    logger,
    () => {
      if (!long) {
        const longPool = createPool(url, 2, timeouts.longStatementMs, timeouts);
        long = {
          pool: longPool,
          db: postgresOver(
            longPool,
            logger,
            () => (long as { db: Database }).db,
            async () => {},
          ),
        };
      }
      return long.db;
    },
    async () => {
      await pool.end();
      if (long) await long.pool.end();
    },
  );
  return db;
}

function postgresOver(
  pool: pg.Pool,
  logger: Pick<Logger, 'error'> | undefined,
  forLongWork: () => Database,
  end: () => Promise<void>,
): Database {
  // An idle client that loses its server must not take the process down (the next query
  // reconnects), but an operator must see it: a restart, a failover, a killed backend.
  pool.on('error', (error) => logger?.error({ err: describePoolError(error) }, 'database pool error'));
  // A connection the server ends while it is checked out (idle_in_transaction_session_timeout, a
  // terminated backend) emits its error on the client, where pg-pool listens only while it is
  // idle: unheard, the error would end the process. The statement that runs on it fails instead.
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      // While idle the pool listens too, and its 'error' event logs the line above.
      if (client.listenerCount('error') > 1) return;
      logger?.error({ err: describePoolError(error) }, 'database connection lost while in use');
    });
  });
  const orm = drizzleNodePostgres({ client: pool }) as unknown as Orm;
  let closed = false;
  const db: Database = {
    kind: 'postgres',
    orm,
    async runScript(script) {
      const client = await pool.connect();
      let failure: unknown;
      try {
        await client.query('BEGIN');
        await client.query(script);
        await client.query('COMMIT');
      } catch (error) {
        failure = error;
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        // A connection that failed is not handed out again (it may be the one that timed out).
        client.release(failure instanceof Error ? failure : undefined);
      }
    },
    async inOneRoundTrip(statements) {
      const results = (await pool.query(statements)) as unknown as pg.QueryResult | pg.QueryResult[];
      return (Array.isArray(results) ? results.at(-1)?.rows : results.rows) ?? [];
    },
    forLongWork,
    poolUse: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: pool.options.max ?? 10,
    }),
    async close() {
      if (closed) return;
      closed = true;
      await end();
    },
  };
  return db;
}

async function openPglite(dir: string, template: Blob | undefined): Promise<Database> {
  const client = await createPglite({ dir, template });
  const orm = drizzlePglite({ client }) as unknown as Orm;
  let closed = false;
  const db: Database = {
    kind: 'pglite',
    orm,
    forLongWork: () => db,
    async runScript(script) {
      await client.transaction(async (tx) => {
        await tx.exec(script);
      });
    },
    async embeddedSnapshot(read) {
      return client.transaction(async (tx) => {
        const seen = await read(
          async (statement) => (await tx.query<Record<string, unknown>>(statement)).rows,
        );
        return { read: seen, tarball: await client.dumpDataDir('gzip') };
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
  return db;
}

/** Rows of a raw `execute()` result; node-postgres and PGlite both answer with `{ rows }`. */
export function resultRows<Row>(result: unknown): Row[] {
  return (result as { rows: Row[] }).rows;
}
