import {
  claimExport,
  type ExportJobDeps,
  exportWork,
  runExport,
  sweepExportArchives,
} from '../modules/tenant-export/tenant-export.jobs.js';
import { describeError, type Logger } from '../platform/logging/logger.js';

const POLL_MS = 5_000;
const SWEEP_EVERY_MS = 60_000;

/**
 * The worker's side of tenant exports: polls for queued jobs (one platform query of ids and
 * states), takes one with a conditional update (so two workers never run the same export) and
 * runs it outside the scheduler's tick, one at a time per process. Every minute it removes the
 * archives whose time is up. Stopping ends the run under way without failing it: its heartbeat
 * stops, and a worker that polls after the stale limit takes it over from the start.
 */
export function createExportRunner(deps: ExportJobDeps & { logger: Logger; pollMs?: number }) {
  const { db, clock, logger } = deps;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let lastSweep = 0;
  const abort = new AbortController();

  async function once(): Promise<string | null> {
    const now = clock();
    if (now.getTime() - lastSweep >= SWEEP_EVERY_MS) {
      lastSweep = now.getTime();
      const removed = await sweepExportArchives(deps, now);
      if (removed) logger.info({ removed }, 'export archives removed');
    }
    for (const job of await exportWork(db, now)) {
      const runId = await claimExport(db, job.tenantId, job.id, now);
      if (!runId) continue;
      logger.info({ tenantId: job.tenantId, exportId: job.id }, 'tenant export started');
      const outcome = await runExport(deps, job.tenantId, job.id, runId, abort.signal);
      logger.info({ tenantId: job.tenantId, exportId: job.id, outcome }, 'tenant export ended');
      return outcome;
    }
    return null;
  }

  function poll() {
    running ??= once()
      .catch((error) => logger.error({ err: describeError(error) }, 'tenant export poll failed'))
      .finally(() => {
        running = null;
      });
    return running;
  }

  return {
    /** One poll now (tests): runs at most one export to its end. */
    async runOnce(): Promise<string | null> {
      while (running) await running;
      return once();
    },
    start() {
      timer = setInterval(() => void poll(), deps.pollMs ?? POLL_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      abort.abort();
      await running;
    },
  };
}
