import { noticesToRequeue } from '../modules/notices/notices.jobs.js';
import type { NoticeDispatcher } from '../modules/notices/notices.service.js';
import { tenantsWithChangesDue } from '../modules/subprocessor-changes/subprocessor-changes.jobs.js';
import { tenantsWithStaleSubscriptions } from '../modules/subscribers/subscribers.jobs.js';
import { deleteTenantNow, deletionFailureOf } from '../modules/tenants/tenant-deletion.js';
import { allTenantIds } from '../modules/tenants/tenants.jobs.js';
import type { Clock } from '../platform/clock.js';
import type { Database } from '../platform/db/client.js';
import { withPlatform } from '../platform/db/tenancy.js';
import { pruneApiRateLimits } from '../platform/http/api-rate-limit-db.js';
import type { FormRateLimiter } from '../platform/http/form-rate-limit.js';
import { claimPeriodicRun } from '../platform/jobs/periodic-runs.js';
import type { Logger } from '../platform/logging/logger.js';
import type { BlobStore } from '../platform/storage/blob-store.js';
import type { Services } from '../services.js';
import type { BackupJob, BackupTickReport } from './backups.js';
import { type BlobSweepReport, sweepOrphanBlobs } from './blob-sweep.js';
import { applyRetention, type RetentionReport } from './retention.js';

/**
 * Retention (src/worker/retention.ts runs the modules' *.jobs.ts rules) runs this often, by one
 * worker whichever ticks first (worker_runs, decision 0019).
 */
const RETENTION_EVERY_MS = 60 * 60_000;
/** Certification expiry reminders (src/modules/certifications) are looked for this often, by one worker. */
const CERTIFICATION_REMINDERS_EVERY_MS = 60 * 60_000;
/** Live evidence (src/modules/evidence) runs this often, by one worker. */
export const EVIDENCE_EVERY_MS = 15 * 60_000;

export interface TickReport {
  applied: number;
  purged: number;
  requeued: number;
  /** Tenants deleted because their closing period ended. */
  tenantsDeleted: number;
  /** What retention removed, when it ran in this tick (hourly). */
  retention: RetentionReport | null;
  /** Evidence checks run in this tick, over all tenants (null: not due in this tick). */
  evidence: number | null;
  /** What the orphan sweep removed, when it ran in this tick (hourly, with retention). */
  blobSweep: BlobSweepReport | null;
  /** Checks of tenants' own hosts run in this tick (each on its own schedule, src/modules/host-checks). */
  hostChecks: number;
  /** Certifications whose expiry reminder was queued in this tick (null: not looked for in this tick). */
  certificationReminders: number | null;
  /** The backup and restore drill taken in this tick, if one was due (src/worker/backups.ts). */
  backups: BackupTickReport | null;
}

/**
 * Time-driven work, run every 15 seconds by the worker (and directly by tests with their own clock):
 * subprocessor changes whose date has come, retention of unconfirmed subscriptions, notices whose
 * fan-out was lost, old rate-limit windows, and hourly the retention of ended sessions, closed
 * invitations, ended visitors' sessions, old sign-in counters and finished mails, then the sweep of
 * orphan blobs (src/worker/blob-sweep.ts). Finding the work is one platform query per kind (ids,
 * states and dates only); doing it runs per tenant under row-level security. With several
 * workers, each piece of work is done once: due changes are taken with FOR UPDATE SKIP LOCKED and
 * marked applied in the same transaction, purges, requeues and the sweep are idempotent, and the
 * periodic jobs (retention with the sweep, evidence) are claimed once per period in worker_runs.
 */
export function createScheduler({
  db,
  services,
  limiter,
  dispatch,
  clock,
  logger,
  blobs,
  backups,
}: {
  db: Database;
  services: Pick<
    Services,
    | 'subprocessorChanges'
    | 'subscribers'
    | 'tenants'
    | 'vault'
    | 'evidence'
    | 'trust'
    | 'hostChecks'
    | 'certifications'
  >;
  limiter: FormRateLimiter;
  dispatch: NoticeDispatcher;
  clock: Clock;
  logger: Logger;
  /** The blob store to sweep for orphans (src/worker/blob-sweep.ts); without it, no sweep. */
  blobs?: BlobStore | undefined;
  /** Scheduled backups and restore drills (src/worker/backups.ts); without it, none. */
  backups?: BackupJob | undefined;
}) {
  /** The modules' jobs say what is due (ids only), in one platform transaction; the work runs per tenant. */
  async function findDueWork(now: Date) {
    const today = now.toISOString().slice(0, 10);
    return withPlatform(db, async (tx) => ({
      changes: await tenantsWithChangesDue(tx, today),
      stale: await tenantsWithStaleSubscriptions(tx, now),
      open: await noticesToRequeue(tx, now),
    }));
  }

  /**
   * Runs every tenant's checks in use (those its published controls name; a tenant with none or
   * nothing published costs one snapshot read). One tenant's failure does not stop the others.
   */
  async function runEvidence(): Promise<number> {
    const all = await withPlatform(db, allTenantIds);
    let ran = 0;
    for (const { id } of all) {
      try {
        const result = await services.evidence.runForTenant(id);
        ran += result.ran;
        if (result.errors.length)
          logger.warn({ tenantId: id, checks: result.errors }, 'evidence checks could not run');
        // A signed manifest when the results changed, or have grown old (decision 0029).
        await services.trust.refresh(id);
      } catch (error) {
        logger.error(
          { tenantId: id, err: { type: (error as Error).name } },
          'running evidence checks failed',
        );
      }
    }
    return ran;
  }

  /** Each tenant's certifications 30 days from their end date; one tenant's failure does not stop the rest. */
  async function remindCertifications(): Promise<number> {
    let reminded = 0;
    for (const { id } of await withPlatform(db, allTenantIds)) {
      try {
        reminded += await services.certifications.remindExpiring(id);
      } catch (error) {
        logger.error(
          { tenantId: id, err: { type: (error as Error).name } },
          'certification reminders failed',
        );
      }
    }
    return reminded;
  }

  /** A sweep that fails (the store unreachable) is logged and tried again at the next hour. */
  async function sweepBlobs(store: BlobStore, now: Date): Promise<BlobSweepReport | null> {
    const started = performance.now();
    try {
      const swept = await sweepOrphanBlobs({ db, store, now });
      // Counts only: keys are ids, but a count is all an operator needs to see the sweep work.
      logger.info(
        { ...swept, driver: store.driver, ms: Math.round(performance.now() - started) },
        'orphan blobs swept',
      );
      return swept;
    } catch (error) {
      logger.error({ err: { type: (error as Error).name } }, 'sweeping orphan blobs failed');
      return null;
    }
  }

  return {
    async tick(): Promise<TickReport> {
      const now = clock();
      const report: TickReport = {
        applied: 0,
        purged: 0,
        requeued: 0,
        tenantsDeleted: 0,
        retention: null,
        evidence: null,
        blobSweep: null,
        hostChecks: 0,
        certificationReminders: null,
        backups: null,
      };
      let sweepDue = false;
      const work = await findDueWork(now);
      for (const { tenantId } of work.changes) {
        try {
          report.applied += await services.subprocessorChanges.applyDue(tenantId);
        } catch (error) {
          logger.error(
            { tenantId, err: { type: (error as Error).name } },
            'applying subprocessor changes failed',
          );
        }
      }
      for (const { tenantId } of work.stale)
        report.purged += await services.subscribers.purgeUnconfirmed(tenantId);
      for (const notice of work.open) {
        dispatch(notice.tenantId, notice.id);
        report.requeued += 1;
      }
      for (const tenant of await services.tenants.dueForDeletion(now)) {
        try {
          // Only while it is still closing and due: a reopen in the meantime wins.
          const { deleted, files } = await deleteTenantNow(db, services.vault, tenant.id, {
            dueBy: now,
            clock,
          });
          if (!deleted) continue;
          logger.info({ tenantId: tenant.id, files }, 'closed tenant deleted');
          report.tenantsDeleted += 1;
        } catch (error) {
          // One tenant that cannot be deleted must not stop the rest of the tick (retention, evidence).
          // Why, in names only (code, constraint, table): the database's message and detail quote values.
          logger.error(
            { tenantId: tenant.id, err: { type: (error as Error).name, ...deletionFailureOf(error) } },
            'deleting a closed tenant failed',
          );
        }
      }
      if (await claimPeriodicRun(db, 'retention', now, RETENTION_EVERY_MS)) {
        report.retention = await applyRetention(db, now);
        sweepDue = true;
      }
      if (backups) {
        report.backups = await backups.tick().catch((error: unknown) => {
          logger.error({ err: { type: (error as Error).name } }, 'scheduled backup failed');
          return null;
        });
      }
      const backedUp = Boolean(report.backups?.backup || report.backups?.drill);
      // After retention, so the retention check sees what this tick removed; at once after a backup
      // or a drill, so the backup checks show it.
      if ((await claimPeriodicRun(db, 'evidence', now, EVIDENCE_EVERY_MS)) || backedUp) {
        report.evidence = await runEvidence();
      }
      // Every tick: each check is claimed by one worker when it is due (FOR UPDATE SKIP LOCKED).
      report.hostChecks = (
        await services.hostChecks.runDue((tenantId, error) =>
          logger.error({ tenantId, err: { type: (error as Error).name } }, 'running host checks failed'),
        )
      ).ran;
      if (await claimPeriodicRun(db, 'certification-reminders', now, CERTIFICATION_REMINDERS_EVERY_MS)) {
        report.certificationReminders = await remindCertifications();
      }
      await limiter.prune();
      await pruneApiRateLimits(db, now);
      // Last: listing a large bucket takes a while, and the rest of the tick should not wait for it.
      if (sweepDue && blobs) report.blobSweep = await sweepBlobs(blobs, now);
      const removed = report.retention ? Object.values(report.retention).some((count) => count > 0) : false;
      if (report.applied || report.purged || report.requeued || report.tenantsDeleted || removed)
        logger.info({ ...report }, 'scheduler tick');
      return report;
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
