import path from 'node:path';
import { REFERENCED_BLOB_KEYS_SQL } from '../modules/documents/documents.jobs.js';
import { type BackupReport, createBackup } from '../platform/backup/backup.js';
import { type BackupSchedule, latestBackupRun, recordBackupRun } from '../platform/backup/backup-status.js';
import { archiveName, createBackupTarget } from '../platform/backup/backup-target.js';
import type { Clock } from '../platform/clock.js';
import type { Sealer } from '../platform/crypto/sealing.js';
import type { Database } from '../platform/db/client.js';
import { claimPeriodicRun } from '../platform/jobs/periodic-runs.js';
import { describeError, type Logger } from '../platform/logging/logger.js';
import type { BlobStore } from '../platform/storage/blob-store.js';
import { type DrillResult, runRestoreDrill } from './restore-drill.js';

/**
 * How long a worker holds a backup or drill it started before another may try (decision 0019's
 * worker_runs): one that died is retried after this, one that lives finishes well within it.
 */
const LEASE_MS = 60 * 60_000;
/**
 * The first backup waits this long after the worker starts: a first embedded start restarts
 * itself right after creating the demo (decision 0015), and the backup should hold the demo.
 */
export const FIRST_BACKUP_DELAY_MS = 20_000;

export interface BackupTickReport {
  backup: BackupReport | null;
  pruned: number;
  drill: DrillResult | null;
}

/**
 * Scheduled backups and restore drills, run from the scheduler's tick. A backup is due when the
 * newest archive in ATTEST_BACKUP_DIR is older than the interval (or there is none); a drill when
 * the newest archive has not been drilled. Each is claimed in worker_runs first, so with several
 * workers on one database one of them does it; the others find it done on their next tick.
 */
export function createBackupJob({
  db,
  schedule,
  sealer,
  blobs,
  clock,
  logger,
  startedAt = clock(),
}: {
  db: Database;
  schedule: BackupSchedule;
  sealer: Sealer;
  blobs: BlobStore;
  clock: Clock;
  logger: Logger;
  startedAt?: Date;
}) {
  const target = createBackupTarget(schedule.dir, schedule.s3);
  const leaseMs = Math.min(LEASE_MS, schedule.intervalMs);

  async function backupDue(now: Date): Promise<boolean> {
    if (schedule.intervalMs <= 0) return false;
    if (now.getTime() - startedAt.getTime() < FIRST_BACKUP_DELAY_MS) return false;
    const newest = await target.newest();
    if (newest && now.getTime() - newest.createdAt.getTime() < schedule.intervalMs) return false;
    return claimPeriodicRun(db, 'backup', now, leaseMs);
  }

  async function takeBackup(now: Date): Promise<BackupReport | null> {
    try {
      const name = archiveName(now);
      const report = await createBackup({
        db,
        backupUrl: schedule.backupUrl,
        blobs,
        backupKey: schedule.backupKey,
        file: await target.stagingFile(name),
        referencedBlobs: REFERENCED_BLOB_KEYS_SQL,
        now: () => now,
      });
      await target.commit(report.file, name);
      const facts = {
        bytes: report.bytes,
        rows: report.rows,
        blobs: report.blobs,
        durationMs: report.durationMs,
      };
      await recordBackupRun(db, {
        kind: 'backup',
        archive: path.basename(report.file),
        archiveCreatedAt: report.createdAt,
        finishedAt: clock(),
        ok: true,
        facts,
      });
      logger.info(facts, 'backup taken');
      return report;
    } catch (error) {
      logger.error({ err: describeError(error) }, 'taking a backup failed');
      return null;
    }
  }

  async function drillDue(now: Date) {
    const newest = await target.newest();
    if (!newest) return null;
    const last = await latestBackupRun(db, 'drill');
    if (last?.archive === newest.name) return null;
    return (await claimPeriodicRun(db, 'restore-drill', now, leaseMs)) ? newest : null;
  }

  return {
    async tick(): Promise<BackupTickReport> {
      const now = clock();
      const report: BackupTickReport = { backup: null, pruned: 0, drill: null };
      if (await backupDue(now)) {
        report.backup = await takeBackup(now);
        if (report.backup) report.pruned = (await target.prune(schedule.keep, now)).length;
      }
      const archive = await drillDue(now);
      if (archive) {
        const local = await target.open(archive).catch(() => null);
        try {
          report.drill = local
            ? await runRestoreDrill({
                archive: { ...archive, file: local.file },
                backupKey: schedule.backupKey,
                sealer,
                clock,
                kind: db.kind,
                backupUrl: schedule.backupUrl,
              })
            : { ok: false, facts: { failure: 'the archive could not be read from the backup store' } };
        } finally {
          await local?.release();
        }
        await recordBackupRun(db, {
          kind: 'drill',
          archive: archive.name,
          archiveCreatedAt: archive.createdAt,
          finishedAt: clock(),
          ok: report.drill.ok,
          facts: report.drill.facts,
        });
        if (report.drill.ok) logger.info(report.drill.facts, 'restore drill passed');
        else logger.error({ ...report.drill.facts, reason: report.drill.error }, 'restore drill failed');
      }
      return report;
    },
  };
}

export type BackupJob = ReturnType<typeof createBackupJob>;
