import { sql } from 'drizzle-orm';
import { latestBackupRun } from '../backup/backup-status.js';
import { type Database, resultRows } from '../db/client.js';
import { withPlatform } from '../db/tenancy.js';
import type { Observer } from './observer.js';

/** Error codes that are a failed sign-in, by the reason a dashboard groups them by. */
const signInFailures: Record<string, string> = {
  'auth.invalid_credentials': 'credentials',
  'auth.mfa_invalid': 'second_factor',
  'auth.throttled': 'throttled',
};

const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Latency buckets (seconds) around what the trust center promises: most answers well under 50 ms. */
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Metrics extends Observer {
  /** The Prometheus text exposition of every series, with the database's gauges read now. */
  render(): Promise<{ contentType: string; body: string }>;
}

/**
 * The process's metrics (prom-client, loaded only when metrics are on). Counters and histograms are
 * this process's own; the gauges read from the database (outbox, job queue) are the same from
 * every process that reports them, so a dashboard takes `max` of them across replicas, not `sum`.
 */
export async function createMetrics({ db, role }: { db: Database; role: string }): Promise<Metrics> {
  const prom = await import('prom-client');
  const registry = new prom.Registry();
  registry.setDefaultLabels({ role });
  // Process CPU and memory, heap, GC and event-loop lag (nodejs_eventloop_lag_*).
  prom.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });

  const requests = new prom.Counter({
    name: 'attest_http_requests_total',
    help: 'HTTP responses by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new prom.Histogram({
    name: 'attest_http_request_duration_seconds',
    help: 'Time from request to response, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const errors = new prom.Counter({
    name: 'attest_http_errors_total',
    help: 'Error responses by their error code (the reviewed list of codes).',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const signIns = new prom.Counter({
    name: 'attest_sign_in_failures_total',
    help: 'Refused sign-ins: wrong credentials, wrong second factor, or throttled.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const refusals = new prom.Counter({
    name: 'attest_rate_limit_refusals_total',
    help: 'Requests refused with 429 by a rate limit, by the error code of the limit.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const evidence = new prom.Counter({
    name: 'attest_evidence_checks_total',
    help: 'Evidence check runs by check and outcome (pass, fail, error).',
    labelNames: ['check', 'status'] as const,
    registers: [registry],
  });

  const pool = db.poolUse;
  if (pool) {
    new prom.Gauge({
      name: 'attest_db_pool_connections',
      help: "Connections of this process's database pool: open, idle, and requests waiting for one.",
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const use = pool();
        this.set({ state: 'open' }, use.total);
        this.set({ state: 'idle' }, use.idle);
        this.set({ state: 'waiting' }, use.waiting);
        this.set({ state: 'max' }, use.max);
      },
    });
  }
  new prom.Gauge({
    name: 'attest_mail_outbox',
    help: 'Mails in the outbox by delivery status, all tenants together (failed: refused or out of attempts).',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await outboxCounts(db)) this.set({ status: row.status }, row.count);
    },
  });
  new prom.Gauge({
    name: 'attest_jobs',
    help: 'Background jobs by queue and state (created, retry, active, completed, failed, cancelled).',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await jobCounts(db)) this.set({ queue: row.queue, state: row.state }, row.count);
    },
  });
  new prom.Gauge({
    name: 'attest_backup_newest_age_seconds',
    help: 'Age of the newest backup the worker took (decision 0027); absent until there is one.',
    registers: [registry],
    async collect() {
      this.reset();
      const newest = await latestBackupRun(db, 'backup', true);
      if (newest) this.set(Math.max(0, (Date.now() - newest.archiveCreatedAt.getTime()) / 1000));
    },
  });
  new prom.Gauge({
    name: 'attest_restore_drill_success',
    help: 'Whether the latest restore drill of a backup passed (1) or failed (0); absent before the first.',
    registers: [registry],
    async collect() {
      this.reset();
      const drill = await latestBackupRun(db, 'drill');
      if (drill) this.set(drill.ok ? 1 : 0);
    },
  });

  return {
    httpResponse({ method, route, status, seconds, errorCode }) {
      const verb = knownMethods.has(method) ? method : 'OTHER';
      requests.inc({ method: verb, route, status: String(status) });
      latency.observe({ method: verb, route }, seconds);
      if (!errorCode) return;
      errors.inc({ code: errorCode });
      const reason = signInFailures[errorCode];
      if (reason) signIns.inc({ reason });
      if (status === 429) refusals.inc({ code: errorCode });
    },
    evidenceChecked(check, status) {
      evidence.inc({ check, status });
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

async function outboxCounts(db: Database): Promise<{ status: string; count: number }[]> {
  // Only the delivery state, which the platform role may read (decision 0003).
  const rows = await withPlatform(db, async (tx) =>
    resultRows<{ status: string; count: string }>(
      await tx.execute(sql`select status, count(*)::text as count from mail_outbox group by status`),
    ),
  );
  return rows.map((row) => ({ status: row.status, count: Number(row.count) }));
}

/** pg-boss's own table; before pg-boss has created it (a fresh web process) there is nothing to count. */
async function jobCounts(db: Database): Promise<{ queue: string; state: string; count: number }[]> {
  try {
    const rows = resultRows<{ queue: string; state: string; count: string }>(
      await db.orm.execute(
        sql`select name as queue, state::text as state, count(*)::text as count from pgboss.job group by 1, 2`,
      ),
    );
    return rows.map((row) => ({ queue: row.queue, state: row.state, count: Number(row.count) }));
  } catch (error) {
    if (innermostCode(error) === '42P01') return [];
    throw error;
  }
}

/** The SQLSTATE under the ORM's wrapper: 42P01 is "relation does not exist". */
function innermostCode(error: unknown): unknown {
  let current = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    if (typeof current.code === 'string') return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}
