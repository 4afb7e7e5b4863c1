import { type CheckOutcome, type EvidenceCheck, plural } from './check.js';

/** How late the newest backup may be beyond one interval: a run delayed or retried (at most an hour). */
export function allowedAgeMs(intervalMs: number): number {
  return intervalMs + Math.min(intervalMs, 60 * 60_000);
}

const minutes = (ms: number) => Math.round(ms / 60_000);

/**
 * Whether the installation takes backups: a schedule is configured, and the newest archive in the
 * backup store is there and no older than the schedule allows. Same for every tenant.
 */
export const backupFreshness: EvidenceCheck = async ({ backups, clock }): Promise<CheckOutcome> => {
  const schedule = backups?.schedule;
  if (!backups || !schedule || schedule.intervalMs <= 0) {
    return {
      status: 'fail',
      summary: 'No backup schedule is configured on this installation.',
      facts: { scheduled: false },
    };
  }
  const facts = { scheduled: true, intervalMinutes: minutes(schedule.intervalMs), keep: schedule.keep };
  const newest = await backups.newestArchive();
  if (!newest) {
    return {
      status: 'fail',
      summary: 'No backup archive was found in the backup store.',
      facts: { ...facts, archives: 0 },
    };
  }
  const ageMs = Math.max(0, clock().getTime() - newest.createdAt.getTime());
  const archives = await backups.archiveCount();
  const found = {
    ...facts,
    archives,
    newestBackupAt: newest.createdAt.toISOString(),
    newestAgeMinutes: minutes(ageMs),
    newestSizeBytes: newest.bytes,
  };
  if (ageMs > allowedAgeMs(schedule.intervalMs)) {
    return {
      status: 'fail',
      summary: `The newest backup is ${minutes(ageMs)} minutes old; the schedule allows ${minutes(allowedAgeMs(schedule.intervalMs))}.`,
      facts: found,
    };
  }
  return {
    status: 'pass',
    summary: `An encrypted backup of the database and its files is taken every ${minutes(schedule.intervalMs)} minutes; the newest is ${minutes(ageMs)} minutes old, ${plural(archives, 'archive')} kept.`,
    facts: found,
  };
};
