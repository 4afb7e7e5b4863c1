/**
 * A worker process (`attest start --role worker`) for tests that run several and kill them: the
 * configuration from the environment, the timings from ATTEST_TEST_TUNING (JSON). Logs go to
 * stdout as JSON lines; "worker ready" once the job queue, the scheduler and the mailer run.
 */
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { startWorkerProcess, type WorkerTuning } from '../../src/processes.js';

const logger = createLogger('info');
const tuning = JSON.parse(process.env.ATTEST_TEST_TUNING ?? '{}') as WorkerTuning;
const worker = await startWorkerProcess(loadConfig(), logger, tuning);
logger.info({ pid: process.pid }, 'worker ready');
process.once('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});
