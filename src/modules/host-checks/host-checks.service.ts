import { and, asc, count, eq, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import { type Database, resultRows, type Tx } from '../../platform/db/client.js';
import { withPlatform, withTenant } from '../../platform/db/tenancy.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import type { NetGuard } from '../../platform/net/safe-connect.js';
import { auditLog } from '../audit/audit.service.js';
import {
  type Availability,
  type CreateHostCheckInput,
  createHostCheckInput,
  DEFAULT_EVERY_MINUTES,
  type HostCheckEvidence,
  type HostCheckView,
  hostCheckDescriptions,
  MAX_HOST_CHECKS,
  type PublicStatus,
  UPTIME_HISTORY_DAYS,
  UPTIME_TARGET_PERCENT,
} from './host-checks.contract.js';
import { tenantsWithHostChecksDue } from './host-checks.jobs.js';
import { hostCheckSamples, hostChecks } from './host-checks.schema.js';
import { type ProbeEnv, type ProbeOutcome, probe } from './kinds/index.js';
import './host-checks.errors.js';

const DAY_MS = 86_400_000;
/** One connection's limit; a whole probe (TLS tries six connections) is bounded by PROBE_TIMEOUT_MS. */
const CONNECT_TIMEOUT_MS = 10_000;
const PROBE_TIMEOUT_MS = 90_000;
/** Checks claimed per tenant and round, and run side by side (the worker shares a small machine). */
const CLAIM_BATCH = 20;
const PARALLEL = 4;
const ERROR_SUMMARY = 'The check could not run; it is tried again on the next run.';

type Row = typeof hostChecks.$inferSelect;

function publicFacts(facts: Record<string, unknown>): Record<string, number | string | boolean> {
  const safe: Record<string, number | string | boolean> = {};
  for (const [name, value] of Object.entries(facts).slice(0, 20)) {
    if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))
      safe[name] = value;
    else if (typeof value === 'string') safe[name] = value.slice(0, 200);
  }
  return safe;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('host check timed out')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function percent(up: number, total: number): number | null {
  return total === 0 ? null : Math.round((up / total) * 100_000) / 1000;
}

export interface HostCheckRunReport {
  ran: number;
  failed: number;
  errors: number;
}

/**
 * Checks a tenant defines of its own hosts: created and removed in the console, run by the worker
 * on their schedule through the SSRF guard, the latest result kept on the check and every uptime
 * probe kept 90 days for the public status section.
 */
export function createHostChecksService({
  db,
  clock,
  guard,
  extraCa,
  dnsServers,
  connectTimeoutMs = CONNECT_TIMEOUT_MS,
  probeTimeoutMs = PROBE_TIMEOUT_MS,
}: {
  db: Database;
  clock: Clock;
  /** The only way probes reach a host (src/platform/net/safe-connect.ts). */
  guard: NetGuard;
  extraCa?: readonly string[] | undefined;
  dnsServers?: readonly string[] | undefined;
  connectTimeoutMs?: number;
  probeTimeoutMs?: number;
}) {
  const run = tenantTransaction({ db, clock, audit: auditLog });

  async function availabilityOf(
    tx: Tx,
    now: Date,
  ): Promise<Map<string, Omit<Availability, 'targetPercent'>>> {
    const since30 = new Date(now.getTime() - 30 * DAY_MS).toISOString();
    const since90 = new Date(now.getTime() - UPTIME_HISTORY_DAYS * DAY_MS).toISOString();
    const rows = resultRows<{ check_id: string; n30: string; up30: string; n90: string; up90: string }>(
      await tx.execute(sql`
        select check_id,
          count(*) filter (where at >= ${since30}::timestamptz) as n30,
          count(*) filter (where at >= ${since30}::timestamptz and up) as up30,
          count(*) as n90,
          count(*) filter (where up) as up90
        from host_check_samples where at >= ${since90}::timestamptz group by check_id`),
    );
    return new Map(
      rows.map((row) => [
        row.check_id,
        {
          last30Days: percent(Number(row.up30), Number(row.n30)),
          last90Days: percent(Number(row.up90), Number(row.n90)),
          probes30Days: Number(row.n30),
          probes90Days: Number(row.n90),
        },
      ]),
    );
  }

  function uptimeOf(row: Row, stats: Map<string, Omit<Availability, 'targetPercent'>>): Availability {
    return {
      targetPercent: Number(row.options.targetPercent ?? UPTIME_TARGET_PERCENT),
      ...(stats.get(row.id) ?? { last30Days: null, last90Days: null, probes30Days: 0, probes90Days: 0 }),
    };
  }

  function toView(row: Row, stats: Map<string, Omit<Availability, 'targetPercent'>>): HostCheckView {
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      target: row.target,
      options: row.options,
      everyMinutes: row.everyMinutes,
      controls: row.controls,
      checks: hostCheckDescriptions[row.kind],
      createdAt: row.createdAt.toISOString(),
      nextRunAt: row.nextRunAt.toISOString(),
      latest:
        row.lastStatus && row.lastCheckedAt
          ? {
              status: row.lastStatus,
              summary: row.lastSummary ?? '',
              facts: row.lastFacts ?? {},
              checkedAt: row.lastCheckedAt.toISOString(),
              durationMs: row.lastDurationMs ?? 0,
            }
          : null,
      availability: row.kind === 'http-uptime' ? uptimeOf(row, stats) : null,
    };
  }

  const env = (): ProbeEnv => ({ guard, extraCa, dnsServers, timeoutMs: connectTimeoutMs, now: clock() });

  async function runClaimed(tenantId: string, claimed: Row): Promise<ProbeOutcome['status']> {
    const started = performance.now();
    let outcome: ProbeOutcome;
    try {
      outcome = await withTimeout(probe(env(), claimed), probeTimeoutMs);
    } catch {
      outcome = { status: 'error', summary: ERROR_SUMMARY, facts: {} };
    }
    const at = clock();
    await withTenant(db, tenantId, async (tx) => {
      await tx
        .update(hostChecks)
        .set({
          lastStatus: outcome.status,
          lastSummary: outcome.summary.slice(0, 300),
          lastFacts: publicFacts(outcome.facts),
          lastCheckedAt: at,
          lastDurationMs: Math.max(0, Math.round(performance.now() - started)),
          // The first failing result after a pass (or none) starts the episode; a pass ends it.
          // SET reads the row as it was: the previous status decides whether an episode goes on.
          failingSince:
            outcome.status === 'pass'
              ? null
              : sql`case when ${hostChecks.lastStatus} in ('fail', 'error')
                  then coalesce(${hostChecks.failingSince}, ${at.toISOString()}::timestamptz)
                  else ${at.toISOString()}::timestamptz end`,
        })
        .where(eq(hostChecks.id, claimed.id));
      if (outcome.sample) {
        await tx
          .insert(hostCheckSamples)
          .values({
            tenantId,
            checkId: claimed.id,
            at,
            up: outcome.sample.up,
            latencyMs: outcome.sample.latencyMs,
          })
          .onConflictDoNothing();
        await tx
          .delete(hostCheckSamples)
          .where(
            and(
              eq(hostCheckSamples.checkId, claimed.id),
              lt(hostCheckSamples.at, new Date(at.getTime() - UPTIME_HISTORY_DAYS * DAY_MS)),
            ),
          );
      }
    });
    return outcome.status;
  }

  /**
   * Claims the tenant's due checks and moves each one's next run forward in the same statement
   * (FOR UPDATE SKIP LOCKED): another worker claiming at the same moment gets other rows or none.
   * The next run keeps the cadence (due + period) unless the check fell a period behind.
   */
  async function claimDue(tenantId: string, now: Date): Promise<Row[]> {
    const at = now.toISOString();
    const rows = await withTenant(db, tenantId, (tx) =>
      tx.execute(sql`
        update host_checks set next_run_at = case
            when next_run_at + make_interval(mins => every_minutes) > ${at}::timestamptz
              then next_run_at + make_interval(mins => every_minutes)
            else ${at}::timestamptz + make_interval(mins => every_minutes) end
        where id in (
          select id from host_checks where next_run_at <= ${at}::timestamptz
          order by next_run_at limit ${CLAIM_BATCH} for update skip locked)
        returning id`),
    );
    const ids = resultRows<{ id: string }>(rows).map((row) => row.id);
    if (ids.length === 0) return [];
    return withTenant(db, tenantId, (tx) =>
      tx.select().from(hostChecks).where(sql`${hostChecks.id} in ${ids}`),
    );
  }

  async function runTenant(tenantId: string, now: Date, report: HostCheckRunReport): Promise<void> {
    const claimed = await claimDue(tenantId, now);
    for (let index = 0; index < claimed.length; index += PARALLEL) {
      const statuses = await Promise.all(
        claimed.slice(index, index + PARALLEL).map((row) => runClaimed(tenantId, row)),
      );
      report.ran += statuses.length;
      report.failed += statuses.filter((status) => status === 'fail').length;
      report.errors += statuses.filter((status) => status === 'error').length;
    }
  }

  async function rowById(tx: Tx, id: string): Promise<Row> {
    const parsed = z.uuid().safeParse(id);
    if (!parsed.success) throw new AppError('host_check.not_found');
    const [row] = await tx.select().from(hostChecks).where(eq(hostChecks.id, parsed.data)).limit(1);
    if (!row) throw new AppError('host_check.not_found');
    return row;
  }

  return {
    async list(ctx: ServiceContext): Promise<{ items: HostCheckView[] }> {
      ctx.require('settings:read');
      return run(ctx, async (tx) => {
        const rows = await tx
          .select()
          .from(hostChecks)
          .orderBy(asc(hostChecks.createdAt), asc(hostChecks.id));
        const stats = await availabilityOf(tx, clock());
        return { items: rows.map((row) => toView(row, stats)) };
      });
    },

    async get(ctx: ServiceContext, id: string): Promise<HostCheckView> {
      ctx.require('settings:read');
      return run(ctx, async (tx) => toView(await rowById(tx, id), await availabilityOf(tx, clock())));
    },

    /** Adds a check; it is due at once, so the worker's next tick runs it. */
    async create(ctx: ServiceContext, input: CreateHostCheckInput): Promise<HostCheckView> {
      ctx.require('settings:manage');
      const parsed = createHostCheckInput.parse(input);
      return run(ctx, async (tx, audit) => {
        // One transaction at a time per tenant counts, so two creations cannot both take the last place.
        await tx.execute(
          sql`select pg_advisory_xact_lock(hashtext('host_checks'), hashtext(${ctx.tenantId}))`,
        );
        const [counted] = await tx.select({ total: count() }).from(hostChecks);
        if (Number(counted?.total ?? 0) >= MAX_HOST_CHECKS) throw new AppError('host_check.limit_reached');
        const now = clock();
        const [row] = await tx
          .insert(hostChecks)
          .values({
            tenantId: ctx.tenantId,
            kind: parsed.kind,
            name: parsed.name,
            target: parsed.target,
            options: parsed.options,
            everyMinutes: parsed.everyMinutes ?? DEFAULT_EVERY_MINUTES[parsed.kind],
            controls: parsed.controls,
            createdAt: now,
            nextRunAt: now,
          })
          .returning();
        if (!row) throw new Error('host check insert returned no row');
        await audit.record('host_check.created', { type: 'host_check', id: row.id }, { kind: row.kind });
        return toView(row, new Map());
      });
    },

    async remove(ctx: ServiceContext, id: string): Promise<void> {
      ctx.require('settings:manage');
      await run(ctx, async (tx, audit) => {
        const row = await rowById(tx, id);
        await tx.delete(hostChecks).where(eq(hostChecks.id, row.id));
        await audit.record('host_check.deleted', { type: 'host_check', id: row.id }, { kind: row.kind });
      });
    },

    /**
     * The worker's part: every tenant's due checks, each run once however many workers tick.
     * One tenant's failure does not stop the others.
     */
    async runDue(onTenantError?: (tenantId: string, error: unknown) => void): Promise<HostCheckRunReport> {
      const now = clock();
      const report: HostCheckRunReport = { ran: 0, failed: 0, errors: 0 };
      const due = await withPlatform(db, (tx) => tenantsWithHostChecksDue(tx, now));
      for (const { tenantId } of due) {
        try {
          await runTenant(tenantId, now, report);
        } catch (error) {
          onTenantError?.(tenantId, error);
        }
      }
      return report;
    },

    /**
     * Live evidence of the published controls (`controlKeys`, from the snapshot): each check that
     * names one of them, by name and kind, with its state. Never the target.
     */
    async evidenceOf(tenantId: string, controlKeys: ReadonlySet<string>): Promise<HostCheckEvidence[]> {
      if (controlKeys.size === 0) return [];
      const rows = await withTenant(db, tenantId, (tx) =>
        tx.select().from(hostChecks).orderBy(asc(hostChecks.createdAt), asc(hostChecks.id)),
      );
      return rows.flatMap((row) => {
        const controls = row.controls.filter((key) => controlKeys.has(key));
        if (controls.length === 0) return [];
        const failing = row.lastStatus === 'fail' || row.lastStatus === 'error';
        return [
          {
            name: row.name,
            kind: row.kind,
            controls,
            status: row.lastStatus ?? 'pending',
            // A failing row always has its start (migration 0026); the check time stands in otherwise.
            failingSince: failing
              ? (row.failingSince ?? row.lastCheckedAt ?? row.createdAt).toISOString()
              : null,
          },
        ];
      });
    },

    /**
     * The public status section: the tenant's uptime checks by name, availability and latest
     * state, and the published controls each backs (`controlTitles`: key → title, from the snapshot).
     */
    async publicStatus(
      tenantId: string,
      controlTitles: ReadonlyMap<string, string> = new Map(),
    ): Promise<PublicStatus> {
      return withTenant(db, tenantId, async (tx) => {
        const rows = await tx
          .select()
          .from(hostChecks)
          .where(eq(hostChecks.kind, 'http-uptime'))
          .orderBy(asc(hostChecks.createdAt), asc(hostChecks.id));
        const stats = await availabilityOf(tx, clock());
        return {
          items: rows.map((row) => ({
            name: row.name,
            status: row.lastStatus ?? 'pending',
            checkedAt: row.lastCheckedAt?.toISOString() ?? null,
            availability: uptimeOf(row, stats),
            controls: row.controls.flatMap((key) => {
              const title = controlTitles.get(key);
              return title ? [{ title }] : [];
            }),
          })),
        };
      });
    },
  };
}

export type HostChecksService = ReturnType<typeof createHostChecksService>;
