import { allowedAgeMs } from './backup-freshness.js';
import type { CheckOutcome, EvidenceCheck } from './check.js';

/**
 * Whether the latest backup has been proven to restore: the worker's latest drill (a restore into
 * a scratch database, verified and dropped) was of the newest archive and succeeded, that archive
 * still authenticates whole, and it is no older than the schedule allows.
 */
export const restoreDrill: EvidenceCheck = async ({ backups, clock }): Promise<CheckOutcome> => {
  if (!backups?.schedule || backups.schedule.intervalMs <= 0) {
    return {
      status: 'fail',
      summary: 'No backup schedule is configured, so no restore drill runs.',
      facts: { scheduled: false },
    };
  }
  const [newest, drill] = await Promise.all([backups.newestArchive(), backups.latestDrill()]);
  if (!newest) {
    return {
      status: 'fail',
      summary: 'There is no backup to restore.',
      facts: { scheduled: true, archives: 0 },
    };
  }
  if (!drill) {
    return {
      status: 'fail',
      summary: 'No restore drill has run yet.',
      facts: { scheduled: true, drills: 0 },
    };
  }
  const facts = {
    lastDrillAt: drill.finishedAt.toISOString(),
    backupAt: drill.archiveCreatedAt.toISOString(),
    drillSucceeded: drill.ok,
    ...drill.facts,
  };
  if (!drill.ok) {
    return { status: 'fail', summary: 'The latest restore drill failed.', facts };
  }
  if (drill.archive !== newest.name) {
    return { status: 'fail', summary: 'The newest backup has not been restored in a drill yet.', facts };
  }
  const problem = await backups.archiveProblem(newest);
  if (problem) {
    return { status: 'fail', summary: `The newest backup cannot be restored: ${problem}.`, facts };
  }
  const ageMs = clock().getTime() - newest.createdAt.getTime();
  if (ageMs > allowedAgeMs(backups.schedule.intervalMs)) {
    return { status: 'fail', summary: 'The latest drilled backup is older than the schedule allows.', facts };
  }
  return {
    status: 'pass',
    summary: `The newest backup was restored into a scratch database in ${(Number(drill.facts.restoreMs) / 1000).toFixed(1)} s and verified: ${drill.facts.rowsVerified} rows against its manifest, ${drill.facts.documentsDecrypted} documents decrypted, ${drill.facts.tenantsVerified} audit chains intact.`,
    facts,
  };
};
