import { type App, blobStoreFor, createApp, openConfiguredDatabase, sealerFor } from './app.js';
import { systemClock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db/client.js';
import { migrate } from './platform/db/migrate.js';
import type { Logger } from './platform/logging/logger.js';
import { createMailer, type MailerOptions } from './platform/mail/mailer.js';
import { createServices } from './services.js';
import { createNoticeSender, createWorker, type WorkerOptions } from './worker/worker.js';

/** Timings a worker process may be started with instead of the defaults (tests shorten them). */
export interface WorkerTuning {
  mailer?: Partial<
    Pick<MailerOptions, 'leaseMs' | 'heartbeatMs' | 'pollMs' | 'batchSize' | 'lanes' | 'concurrency'>
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
export async function startApp(config: Config, logger: Logger, role: 'all' | 'web' = 'all'): Promise<App> {
  refuseSplitOnEmbedded(config, role);
  const sealer = sealerFor(config);
  const db = await openMigrated(config, logger);
  try {
    const app = await createApp({
      db,
      sealer,
      logger,
      publicUrl: config.publicUrl,
      trustProxy: config.trustProxy,
      blobs: blobStoreFor(config),
      smtpUrl: config.smtpUrl,
      mailFrom: config.mailFrom,
      maxUploadBytes: config.maxUploadBytes,
      apiRequestsPerMinute: config.apiRequestsPerMinute,
    });
    if (role === 'web') {
      const sender = createNoticeSender({ db, logger });
      await sender.start();
      app.setNoticeDispatcher(sender.dispatch);
      return {
        ...app,
        async close() {
          await sender.stop();
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
    });
    await worker.start();
    app.setNoticeDispatcher(worker.dispatch);
    return {
      ...app,
      async close() {
        await worker.stop();
        await app.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** The `worker` role: no HTTP; the job queue, the scheduler and the mail outbox's delivery. */
export async function startWorkerProcess(
  config: Config,
  logger: Logger,
  tuning: WorkerTuning = {},
): Promise<{ close(): Promise<void> }> {
  refuseSplitOnEmbedded(config, 'worker');
  const sealer = sealerFor(config);
  const db = await openMigrated(config, logger);
  try {
    const mailer = createMailer({
      db,
      smtpUrl: config.smtpUrl,
      from: config.mailFrom,
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
    });
    const worker = createWorker({
      db,
      sealer,
      services,
      clock: systemClock,
      logger,
      publicUrl: config.publicUrl,
      mailer,
      ...tuning.worker,
    });
    await worker.start();
    dispatch = worker.dispatch;
    mailer.start();
    return {
      async close() {
        await worker.stop();
        await mailer.stop();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
