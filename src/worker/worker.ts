import { z } from 'zod';
import { createFanOut, type FanOutHooks } from '../modules/notices/fan-out.js';
import { recordNoticeFailure } from '../modules/notices/notices.service.js';
import { recordIncidentNotifiedIn } from '../modules/updates/incidents.service.js';
import type { BackupSchedule } from '../platform/backup/backup-status.js';
import type { Clock } from '../platform/clock.js';
import type { Sealer } from '../platform/crypto/sealing.js';
import type { Database } from '../platform/db/client.js';
import { createFormRateLimiter } from '../platform/http/form-rate-limit.js';
import { createJobQueue, type JobQueue } from '../platform/jobs/queue.js';
import { describeError, type Logger } from '../platform/logging/logger.js';
import type { BlobStore } from '../platform/storage/blob-store.js';
import type { Services } from '../services.js';
import { createBackupJob } from './backups.js';
import { createExportRunner } from './export-runner.js';
import { createScheduler } from './scheduler.js';

export const FAN_OUT_QUEUE = 'notice-fan-out';
const DEFAULT_RETRY_LIMIT = 5;
const DEFAULT_RETRY_DELAY_SECONDS = 30;
/**
 * The scheduler's tick. Short, so a fan-out lost with its worker resumes within a minute; each
 * tick is a handful of small queries, and the hourly and quarter-hourly jobs are claimed once per
 * period whatever the tick.
 */
export const TICK_MS = 15_000;

/** Creates the fan-out queue if it is missing (idempotent: every process that sends may call it). */
async function ensureFanOutQueue(queue: JobQueue, retryLimit: number, retryDelaySeconds: number) {
  await queue.createQueue(FAN_OUT_QUEUE, {
    name: FAN_OUT_QUEUE,
    retryLimit,
    retryDelay: retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: 3600,
  });
}

/**
 * The web role's side of the queue (`attest start --role web`): it only sends fan-out jobs, which
 * a worker process runs. A job that cannot be sent is not lost: the notice stays pending and the
 * worker's scheduler queues it on its next tick.
 */
export function createNoticeSender({ db, logger }: { db: Database; logger: Logger }) {
  const queue = createJobQueue(db, { supervise: false });
  let started = false;
  return {
    dispatch(tenantId: string, noticeId: string): void {
      if (!started) return;
      queue.send(FAN_OUT_QUEUE, { tenantId, noticeId }).catch((error) => {
        logger.error({ tenantId, noticeId, err: describeError(error) }, 'queueing a notice failed');
      });
    },
    async start() {
      queue.on('error', (error) => logger.error({ err: describeError(error) }, 'job queue error'));
      await queue.start();
      await ensureFanOutQueue(queue, DEFAULT_RETRY_LIMIT, DEFAULT_RETRY_DELAY_SECONDS);
      started = true;
    },
    async stop() {
      started = false;
      await queue.stop({ graceful: true, close: false, timeout: 10_000, wait: true });
    },
  };
}

const fanOutJob = z.object({ tenantId: z.uuid(), noticeId: z.uuid() });

export interface WorkerOptions {
  db: Database;
  sealer: Sealer;
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
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  /** Told to deliver after a fan-out filled the outbox (the mailer also polls on its own). */
  mailer?: { kick(): Promise<void> } | undefined;
  tickMs?: number;
  /** First retry delay of a failed fan-out; later retries back off exponentially. */
  retryDelaySeconds?: number;
  retryLimit?: number;
  pollingIntervalSeconds?: number;
  fanOutBatchSize?: number;
  /** Test hooks for the fan-out (kill a run after N batches). */
  fanOutHooks?: FanOutHooks;
  /** The blob store whose orphans the scheduler sweeps hourly; without it, no sweep. */
  blobs?: BlobStore | undefined;
  /** Scheduled backups and restore drills (ATTEST_BACKUP_*, decision 0027); without it, none. */
  backupSchedule?: BackupSchedule | null | undefined;
}

/**
 * The worker role: the job queue (pg-boss) with the notice fan-out handler, and the scheduler's
 * tick. A failed fan-out is retried by pg-boss with exponential backoff; once its retries are
 * used up, the notice is marked failed (the console shows it and can retry it).
 */
export function createWorker(options: WorkerOptions) {
  const { db, clock, logger } = options;
  const retryLimit = options.retryLimit ?? DEFAULT_RETRY_LIMIT;
  const queue = createJobQueue(db);
  const fanOut = createFanOut({
    db,
    sealer: options.sealer,
    clock,
    publicUrl: options.publicUrl,
    // A linked incident counts as notified when its notice has gone out (public evidence reads it).
    onSent: recordIncidentNotifiedIn,
    ...(options.fanOutBatchSize ? { batchSize: options.fanOutBatchSize } : {}),
  });
  let started = false;
  let timer: NodeJS.Timeout | null = null;
  const exports = createExportRunner({ db, vault: options.services.vault, clock, logger });

  function dispatch(tenantId: string, noticeId: string): void {
    if (!started) return; // the scheduler finds the pending notice once a worker runs
    queue.send(FAN_OUT_QUEUE, { tenantId, noticeId }).catch((error) => {
      logger.error({ tenantId, noticeId, err: describeError(error) }, 'queueing a notice failed');
    });
  }

  const scheduler = createScheduler({
    db,
    services: options.services,
    limiter: createFormRateLimiter({ db, clock }),
    dispatch,
    clock,
    logger,
    blobs: options.blobs,
    backups:
      options.backupSchedule && options.blobs
        ? createBackupJob({
            db,
            schedule: options.backupSchedule,
            sealer: options.sealer,
            blobs: options.blobs,
            clock,
            logger,
          })
        : undefined,
  });

  async function handle(job: { data: unknown; retryCount: number }) {
    const { tenantId, noticeId } = fanOutJob.parse(job.data);
    try {
      const result = await fanOut(tenantId, noticeId, options.fanOutHooks);
      logger.info({ tenantId, noticeId, ...result }, 'notice fanned out');
      void options.mailer?.kick();
    } catch (error) {
      const final = job.retryCount >= retryLimit;
      const code = `fan_out:${(error as Error).name ?? 'error'}`;
      await recordNoticeFailure(db, tenantId, noticeId, code, final, clock()).catch(() => {});
      logger.warn(
        { tenantId, noticeId, attempt: job.retryCount + 1, final, err: describeError(error) },
        'fan-out failed',
      );
      throw error;
    }
  }

  let ticking: Promise<unknown> | null = null;
  function tick() {
    ticking ??= scheduler
      .tick()
      .catch((error) => logger.error({ err: describeError(error) }, 'scheduler tick failed'))
      .finally(() => {
        ticking = null;
      });
    return ticking;
  }

  /** A tick of its own, after the one under way (if any): ticks never overlap, and errors reach the caller. */
  async function tickNow() {
    while (ticking) await ticking;
    const run = scheduler.tick();
    ticking = run
      .catch(() => {})
      .finally(() => {
        ticking = null;
      });
    return run;
  }

  return {
    dispatch,
    tick: tickNow,
    exports,
    queue,
    async start() {
      queue.on('error', (error) => logger.error({ err: describeError(error) }, 'job queue error'));
      await queue.start();
      await ensureFanOutQueue(queue, retryLimit, options.retryDelaySeconds ?? DEFAULT_RETRY_DELAY_SECONDS);
      await queue.work(
        FAN_OUT_QUEUE,
        { includeMetadata: true, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 },
        async ([job]) => {
          if (job) await handle(job);
        },
      );
      started = true;
      timer = setInterval(() => void tick(), options.tickMs ?? TICK_MS);
      timer.unref();
      void tick();
      exports.start();
    },
    async stop() {
      started = false;
      if (timer) clearInterval(timer);
      timer = null;
      await ticking;
      await exports.stop();
      await queue.stop({ graceful: true, close: false, timeout: 10_000, wait: true });
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;
