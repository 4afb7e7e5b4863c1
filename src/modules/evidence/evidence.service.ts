import { inArray, isNotNull } from 'drizzle-orm';
import type { ServiceContext } from '../../platform/auth/context.js';
import { visitorContext } from '../../platform/auth/context.js';
import type { BackupStatus } from '../../platform/backup/backup-status.js';
import type { Clock } from '../../platform/clock.js';
import type { Sealer } from '../../platform/crypto/sealing.js';
import type { Database } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import type { BlobVault } from '../../platform/storage/blob-vault.js';
import type { PublishingService } from '../publishing/publishing.service.js';
import type { SnapshotContent } from '../publishing/snapshot.contract.js';
import type { TransferService } from './checks/check.js';
import { checks as allChecks, type CheckDeps, type EvidenceCheck } from './checks/index.js';
import {
  type EvidenceCheckKey,
  type EvidenceList,
  type EvidenceResult,
  type EvidenceStatus,
  evidenceCheckKey,
  evidenceChecks,
  type FailingChecks,
  type PublicEvidenceList,
} from './evidence.contract.js';
import { evidenceResults } from './evidence.schema.js';
import { evidenceInUse } from './evidence-in-use.js';
import { type ResultRow, recordResult, type TransitionAudience } from './evidence-transitions.js';

export { evidenceInUse };

/**
 * "Run now" is refused while this process's last manual run for the tenant ended less than this ago.
 * The worker's own runs do not count: a person pressing the button right after start-up, or just
 * after the scheduled run, gets a run, not a refusal.
 */
export const RUN_NOW_INTERVAL_MS = 30_000;
/** A check that takes longer is recorded as an error (it keeps no transaction open meanwhile). */
const CHECK_TIMEOUT_MS = 60_000;
const ERROR_SUMMARY = 'The check could not run; it is tried again on the next run.';
const MAX_TRACKED_TENANTS = 10_000;

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
    timer = setTimeout(() => reject(new Error('evidence check timed out')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface EvidenceRunReport {
  ran: number;
  failed: EvidenceCheckKey[];
  /** Checks that threw: recorded with a generic summary; the error itself is not kept. */
  errors: EvidenceCheckKey[];
  durationMs: number;
}

/**
 * Live evidence: runs the machine checks a trust center's published controls name, keeps the
 * latest result per check, and reads them for the console, the API and the public page. The
 * results are live, not part of any snapshot: publishing a control that names a check is what
 * puts the check on the public page.
 */
export function createEvidenceService({
  db,
  clock,
  vault,
  sealer,
  transfer,
  publishing,
  checks = allChecks,
  checkTimeoutMs = CHECK_TIMEOUT_MS,
  onChecked = () => {},
  staffRecipients = async () => [],
  publicUrl = 'http://127.0.0.1:3000',
  onFailingChanged = () => {},
  mailQueued = () => {},
  backups = null,
}: {
  db: Database;
  clock: Clock;
  vault: BlobVault;
  sealer: Sealer;
  transfer: Pick<TransferService, 'exportDraft'>;
  publishing: Pick<PublishingService, 'latest'>;
  checks?: Record<EvidenceCheckKey, EvidenceCheck>;
  checkTimeoutMs?: number;
  /** Told of every check's outcome (the metrics count them). */
  onChecked?: (check: EvidenceCheckKey, status: EvidenceStatus) => void;
  /** The staff told when a check starts failing and when it recovers: those who manage settings. */
  staffRecipients?: (tenantId: string) => Promise<string[]>;
  /** The public origin, for the console link in those mails. */
  publicUrl?: string;
  /** Told after a commit in which a check began or ended failing (the public cache forgets the tenant). */
  onFailingChanged?: (tenantId: string) => void;
  /** Told after a commit that queued mail (the mailer's kick). */
  mailQueued?: () => void;
  /** What the backup checks read (decision 0027); null: backups are not configured here. */
  backups?: BackupStatus | null;
}) {
  const manualRuns = new Map<string, number>();
  /** Tenants whose manual run is under way in this process. */
  const running = new Set<string>();
  // The worker, "run now" and the public page read and write results through the one tenant transaction.
  const run = tenantTransaction({ db, clock });

  async function publishedContent(tenantId: string): Promise<SnapshotContent | null> {
    return (await publishing.latest(visitorContext(tenantId)))?.content ?? null;
  }

  async function runOne(tenantId: string, key: EvidenceCheckKey): Promise<EvidenceResult> {
    const deps: CheckDeps = { db, clock, tenantId, vault, sealer, transfer, backups };
    const started = performance.now();
    let outcome: { status: EvidenceStatus; summary: string; facts: Record<string, unknown> };
    try {
      outcome = await withTimeout(checks[key](deps), checkTimeoutMs);
    } catch {
      outcome = { status: 'error', summary: ERROR_SUMMARY, facts: {} };
    }
    onChecked(key, outcome.status);
    const row: ResultRow = {
      tenantId,
      checkKey: key,
      status: outcome.status,
      summary: outcome.summary.slice(0, 300),
      facts: publicFacts(outcome.facts),
      checkedAt: clock(),
      durationMs: Math.max(0, Math.round(performance.now() - started)),
    };
    let audience: TransitionAudience | undefined;
    let stored = await run({ tenantId }, (tx) => recordResult(tx, row, audience));
    // Who to tell is read only when a transition is found (rarely), outside the transaction.
    while (stored.kind === 'needs-audience') {
      audience = await audienceOf(tenantId, key);
      stored = await run({ tenantId }, (tx) => recordResult(tx, row, audience));
    }
    if (stored.transition) onFailingChanged(tenantId);
    if (stored.mailed > 0) mailQueued();
    return toResult(stored.row);
  }

  async function audienceOf(tenantId: string, key: EvidenceCheckKey): Promise<TransitionAudience> {
    const [recipients, content] = await Promise.all([staffRecipients(tenantId), publishedContent(tenantId)]);
    return {
      recipients,
      controls: (evidenceInUse(content).get(key) ?? []).map((control) => control.title),
      consoleUrl: `${publicUrl}/admin/evidence`,
    };
  }

  function toResult(row: typeof evidenceResults.$inferSelect): EvidenceResult {
    const key = row.checkKey as EvidenceCheckKey;
    return {
      check: key,
      title: evidenceChecks[key].title,
      checks: evidenceChecks[key].checks,
      status: row.status,
      summary: row.summary,
      facts: row.facts,
      checkedAt: row.checkedAt.toISOString(),
      durationMs: row.durationMs,
      failingSince: row.failingSince?.toISOString() ?? null,
    };
  }

  async function readResults(tenantId: string, keys: EvidenceCheckKey[]): Promise<EvidenceList> {
    if (keys.length === 0) return { items: [], lastRunAt: null };
    const rows = await run({ tenantId }, (tx) =>
      tx.select().from(evidenceResults).where(inArray(evidenceResults.checkKey, keys)),
    );
    const byKey = new Map(rows.map((row) => [row.checkKey, row]));
    const items = keys.flatMap((key) => {
      const row = byKey.get(key);
      return row ? [toResult(row)] : [];
    });
    const last = rows.reduce<Date | null>(
      (latest, row) => (latest && latest > row.checkedAt ? latest : row.checkedAt),
      null,
    );
    return { items, lastRunAt: last?.toISOString() ?? null };
  }

  async function runForTenant(
    tenantId: string,
    keys?: readonly EvidenceCheckKey[],
  ): Promise<EvidenceRunReport> {
    const started = performance.now();
    const wanted = keys ?? [...evidenceInUse(await publishedContent(tenantId)).keys()];
    const report: EvidenceRunReport = { ran: 0, failed: [], errors: [], durationMs: 0 };
    // One after another: the checks share a small machine with the requests being served.
    for (const key of new Set(wanted)) {
      const result = await runOne(tenantId, key);
      report.ran += 1;
      if (result.status === 'fail') report.failed.push(key);
      if (result.status === 'error') report.errors.push(key);
    }
    report.durationMs = Math.round(performance.now() - started);
    return report;
  }

  /** Runs the checks the published controls name that have no result yet; how many ran. */
  async function runMissing(tenantId: string): Promise<number> {
    const inUse = [...evidenceInUse(await publishedContent(tenantId)).keys()];
    if (inUse.length === 0) return 0;
    const present = new Set((await readResults(tenantId, inUse)).items.map((item) => item.check));
    const missing = inUse.filter((key) => !present.has(key));
    if (missing.length > 0) await runForTenant(tenantId, missing);
    return missing.length;
  }

  return {
    runForTenant,
    runMissing,

    /**
     * Since when each of the tenant's failing checks has been failing (ISO times), for the public
     * pages: a control claimed implemented that a failing check backs shows that instead.
     */
    async failingSince(tenantId: string): Promise<FailingChecks> {
      const rows = await run({ tenantId }, (tx) =>
        tx
          .select({ checkKey: evidenceResults.checkKey, failingSince: evidenceResults.failingSince })
          .from(evidenceResults)
          .where(isNotNull(evidenceResults.failingSince)),
      );
      const failing: FailingChecks = {};
      for (const row of rows) {
        const parsed = evidenceCheckKey.safeParse(row.checkKey);
        if (parsed.success && row.failingSince) failing[parsed.data] = row.failingSince.toISOString();
      }
      return failing;
    },

    /** The latest result of every check the published controls name (the console, the API). */
    async latest(ctx: ServiceContext): Promise<EvidenceList> {
      ctx.require('content:read');
      return readResults(ctx.tenantId, [...evidenceInUse(await publishedContent(ctx.tenantId)).keys()]);
    },

    /** Runs the checks in use now; refused (429) during a run and for RUN_NOW_INTERVAL_MS after it. */
    async runNow(ctx: ServiceContext): Promise<EvidenceList> {
      ctx.require('content:publish');
      const now = clock().getTime();
      const last = manualRuns.get(ctx.tenantId) ?? 0;
      // One manual run at a time per tenant, however long it takes, and then a pause.
      if (now - last < RUN_NOW_INTERVAL_MS || running.has(ctx.tenantId)) throw new AppError('rate.limited');
      manualRuns.delete(ctx.tenantId);
      if (manualRuns.size >= MAX_TRACKED_TENANTS) manualRuns.delete(manualRuns.keys().next().value as string);
      manualRuns.set(ctx.tenantId, now);
      running.add(ctx.tenantId);
      try {
        const keys = [...evidenceInUse(await publishedContent(ctx.tenantId)).keys()];
        await runForTenant(ctx.tenantId, keys);
        return await readResults(ctx.tenantId, keys);
      } finally {
        running.delete(ctx.tenantId);
        // The pause counts from the end of the run: a slow run is not followed by an instant rerun.
        manualRuns.set(ctx.tenantId, clock().getTime());
      }
    },

    /**
     * For the public page: the checks the published controls name, with those controls' titles.
     * `content` is the published snapshot the caller already holds (the public cache's).
     */
    async latestPublic(tenantId: string, content?: SnapshotContent): Promise<PublicEvidenceList> {
      const inUse = evidenceInUse(content ?? (await publishedContent(tenantId)));
      const list = await readResults(tenantId, [...inUse.keys()]);
      return {
        items: list.items.map((item) => ({ ...item, controls: inUse.get(item.check) ?? [] })),
        lastRunAt: list.lastRunAt,
      };
    },
  };
}

export type EvidenceService = ReturnType<typeof createEvidenceService>;
