import {
  type App,
  backupScheduleFor,
  blobStoreFor,
  createApp,
  openConfiguredDatabase,
  sealerFor,
} from './app.js';
import { createBackupStatus } from './platform/backup/backup-status.js';
import { systemClock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db/client.js';
import { migrate } from './platform/db/migrate.js';
import type { Logger } from './platform/logging/logger.js';
import { createMailer, type MailerOptions } from './platform/mail/mailer.js';
import { createMetrics } from './platform/metrics/metrics.js';
import { type MetricsServer, startMetricsServer } from './platform/metrics/metrics-server.js';
import { ignoreObservations, type Observer } from './platform/metrics/observer.js';
import { createServices } from './services.js';
import { createNoticeSender, createWorker, type WorkerOptions } from './worker/worker.js';

/** Timings a worker process may be started with instead of the defaults (tests shorten them). */
export interface WorkerTuning {
  mailer?: Partial<
    Pick<MailerOptions, 'leaseMs' | 'heartbeatMs' | 'pollMs' | 'batchSize' | 'lanes' | 'delivery'>
  >;
  worker?: Partial<Pick<WorkerOptions, 'tickMs' | 'pollingIntervalSeconds'>>;
}

/**
 * What one `attest start` process does. `all` (the default) is everything in one process, the
 * only choice on the embedded database. With PostgreSQL an operator may run any number of `web`
 * processes (public site, API, console) beside one or more `worker` processes (notice fan-out,
 * scheduled changes, mail delivery and its retries); see docs/operations.md.
 */
export const processRoles = ['all', 'web', 'worker'] as const;
export type ProcessRole = (typeof processRoles)[number];

export class RoleError extends Error {}

async function openMigrated(config: Config, logger: Logger): Promise<Database> {
  const db = await openConfiguredDatabase(config, logger);
  try {
    const report = await migrate(db);
    if (report.applied.length) logger.info({ applied: report.applied }, 'database migrated');
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

/**
 * The process's metrics and their listener when ATTEST_METRICS_PORT is set; otherwise nothing is
 * loaded and every observation is dropped.
 */
async function metricsFor(
  config: Config,
  db: Database,
  logger: Logger,
  role: ProcessRole,
): Promise<{ observe: Observer; server: MetricsServer | null }> {
  if (!config.metrics) return { observe: ignoreObservations, server: null };
  const metrics = await createMetrics({ db, role });
  const server = await startMetricsServer({ metrics, ...config.metrics, logger });
  logger.info({ port: server.port, host: config.metrics.host }, 'metrics listening');
  return { observe: metrics, server };
}

function refuseSplitOnEmbedded(config: Config, role: ProcessRole) {
  if (role !== 'all' && !config.databaseUrl) {
    throw new RoleError(
      `--role ${role} needs DATABASE_URL: the embedded database belongs to one process, which runs every role (--role all).`,
    );
  }
}

/**
 * A process that serves HTTP: the whole app (`all`, with the worker inside) or the `web` role,
 * which queues notice fan-outs for a worker process and sends mail right after the commit that
 * queued it (a worker's polling picks up whatever is left and retries).
 */
/** A running process: its app, and the port of its metrics listener when metrics are on. */
export type RunningApp = App & { readonly metricsPort: number | null };

export async function startApp(
  config: Config,
  logger: Logger,
  role: 'all' | 'web' = 'all',
): Promise<RunningApp> {
  refuseSplitOnEmbedded(config, role);
  const sealer = sealerFor(config);
  const backupSchedule = backupScheduleFor(config);
  const db = await openMigrated(config, logger);
  let metricsServer: MetricsServer | null = null;
  try {
    const backups = createBackupStatus(db, backupSchedule);
    const metrics = await metricsFor(config, db, logger, role);
    metricsServer = metrics.server;
    const app = await createApp({
      db,
      observe: metrics.observe,
      tls: config.tls,
      sealer,
      logger,
      publicUrl: config.publicUrl,
      trustProxy: config.trustProxy,
      blobs: blobStoreFor(config),
      smtpUrl: config.smtpUrl,
      mailFrom: config.mailFrom,
      smtpDelivery: config.smtpDelivery,
      maxUploadBytes: config.maxUploadBytes,
      apiRequestsPerMinute: config.apiRequestsPerMinute,
      hostChecks: { allowPrivate: config.checkAllowPrivate },
      backups,
    });
    if (role === 'web') {
      const sender = createNoticeSender({ db, logger });
      await sender.start();
      app.setNoticeDispatcher(sender.dispatch);
      return {
        ...app,
        metricsPort: metricsServer?.port ?? null,
        async close() {
          await sender.stop();
          await metricsServer?.close();
          await app.close();
        },
      };
    }
    app.mailer.start();
    const worker = createWorker({
      db,
      sealer,
      services: app.services,
      clock: systemClock,
      logger,
      publicUrl: config.publicUrl,
      mailer: app.mailer,
      blobs: blobStoreFor(config),
      backupSchedule,
    });
    await worker.start();
    app.setNoticeDispatcher(worker.dispatch);
    return {
      ...app,
      metricsPort: metricsServer?.port ?? null,
      async close() {
        await worker.stop();
        await metricsServer?.close();
        await app.close();
      },
    };
  } catch (error) {
    await metricsServer?.close();
    await db.close();
    throw error;
  }
}

/** The `worker` role: no HTTP; the job queue, the scheduler and the mail outbox's delivery. */
export async function startWorkerProcess(
  config: Config,
  logger: Logger,
  tuning: WorkerTuning = {},
): Promise<{ readonly metricsPort: number | null; close(): Promise<void> }> {
  refuseSplitOnEmbedded(config, 'worker');
  const sealer = sealerFor(config);
  const backupSchedule = backupScheduleFor(config);
  const db = await openMigrated(config, logger);
  let metricsServer: MetricsServer | null = null;
  try {
    const backups = createBackupStatus(db, backupSchedule);
    const metrics = await metricsFor(config, db, logger, 'worker');
    metricsServer = metrics.server;
    const mailer = createMailer({
      db,
      smtpUrl: config.smtpUrl,
      from: config.mailFrom,
      delivery: config.smtpDelivery,
      clock: systemClock,
      logger,
      ...tuning.mailer,
    });
    let dispatch: (tenantId: string, noticeId: string) => void = () => {};
    const services = createServices({
      db,
      sealer,
      clock: systemClock,
      publicUrl: config.publicUrl,
      blobs: blobStoreFor(config),
      mailQueued: () => void mailer.kick(),
      dispatchNotice: (tenantId, noticeId) => dispatch(tenantId, noticeId),
      observe: metrics.observe,
      hostChecks: { allowPrivate: config.checkAllowPrivate },
      backups,
    });
    const worker = createWorker({
      db,
      sealer,
      services,
      clock: systemClock,
      logger,
      publicUrl: config.publicUrl,
      mailer,
      blobs: blobStoreFor(config),
      backupSchedule,
      ...tuning.worker,
    });
    await worker.start();
    dispatch = worker.dispatch;
    mailer.start();
    return {
      metricsPort: metricsServer?.port ?? null,
      async close() {
        await worker.stop();
        await mailer.stop();
        await metricsServer?.close();
        await db.close();
      },
    };
  } catch (error) {
    await metricsServer?.close();
    await db.close();
    throw error;
  }
}
