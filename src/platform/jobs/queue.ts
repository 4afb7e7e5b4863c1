import PgBoss from 'pg-boss';
import type { Database } from '../db/client.js';

/**
 * The job queue: pg-boss 10 on the application's own database connection. pg-boss talks to the
 * database through `executeSql(text, values)`; this adapter hands it node-postgres' pool, or
 * PGlite, whose `query` takes one statement with parameters and `exec` a parameterless script
 * (pg-boss sends its schema set-up and maintenance as such scripts).
 */
interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  exec?(text: string): Promise<{ rows: unknown[] }[]>;
}

export function pgBossAdapter(db: Database) {
  const client = (db.orm as unknown as { $client: SqlClient }).$client;
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (db.kind === 'pglite' && (!values || values.length === 0) && client.exec) {
        const results = await client.exec(text);
        return results.at(-1) ?? { rows: [] };
      }
      return client.query(text, values);
    },
  };
}

export type JobQueue = PgBoss;

export interface QueueOptions {
  /**
   * Run pg-boss' maintenance (expiring and archiving jobs). Worker processes do; a process that
   * only sends jobs (the web role) does not.
   */
  supervise?: boolean;
}

/** A pg-boss instance on `db`. Its own schema (pgboss) is created and migrated by pg-boss on start. */
export function createJobQueue(db: Database, options: QueueOptions = {}): JobQueue {
  return new PgBoss({
    db: pgBossAdapter(db),
    schema: 'pgboss',
    // Cron schedules are not used: the scheduler ticks on its own interval (see src/worker).
    schedule: false,
    supervise: options.supervise ?? true,
    migrate: true,
  });
}
