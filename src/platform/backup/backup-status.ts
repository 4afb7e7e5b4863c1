import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { resultRows } from '../db/client.js';
import { withPlatform } from '../db/tenancy.js';
import { BackupError, verifyArchive } from './archive.js';
import {
  type BackupTarget,
  createBackupTarget,
  type S3TargetOptions,
  type StoredArchive,
} from './backup-target.js';

/** The worker's backup schedule, as configured (decision 0027). */
export interface BackupSchedule {
  /** A directory, or s3://bucket/prefix/. */
  dir: string;
  /** For an S3 target: the bucket's region and endpoint (ATTEST_S3_*); credentials from the SDK's chain. */
  s3?: S3TargetOptions | undefined;
  intervalMs: number;
  keep: number;
  backupKey: Buffer;
  /** PostgreSQL: the backup role's connection. */
  backupUrl: string | undefined;
}

/** A backup or drill the worker recorded (backup_runs). Facts are counts and durations only. */
export interface BackupRun {
  kind: 'backup' | 'drill';
  archive: string;
  archiveCreatedAt: Date;
  finishedAt: Date;
  ok: boolean;
  facts: Record<string, number | string | boolean>;
}

export async function recordBackupRun(db: Database, run: BackupRun): Promise<void> {
  await withPlatform(db, async (tx) => {
    await tx.execute(sql`
      insert into backup_runs (kind, archive, archive_created_at, finished_at, ok, facts)
      values (${run.kind}, ${run.archive}, ${run.archiveCreatedAt.toISOString()}::timestamptz,
              ${run.finishedAt.toISOString()}::timestamptz, ${run.ok}, ${JSON.stringify(run.facts)}::jsonb)`);
    // A year of daily runs is plenty of history; the archives themselves are pruned to ATTEST_BACKUP_KEEP.
    await tx.execute(sql`delete from backup_runs
      where finished_at < ${run.finishedAt.toISOString()}::timestamptz - interval '400 days'`);
  });
}

export async function latestBackupRun(
  db: Database,
  kind: 'backup' | 'drill',
  ok?: boolean,
): Promise<BackupRun | null> {
  const rows = await withPlatform(db, async (tx) =>
    resultRows<{
      archive: string;
      archive_created_at: string | Date;
      finished_at: string | Date;
      ok: boolean;
      facts: Record<string, number | string | boolean> | string;
    }>(
      await tx.execute(sql`
        select archive, archive_created_at, finished_at, ok, facts from backup_runs
        where kind = ${kind} ${ok === undefined ? sql`` : sql`and ok = ${ok}`}
        order by finished_at desc limit 1`),
    ),
  );
  const row = rows[0];
  if (!row) return null;
  return {
    kind,
    archive: row.archive,
    archiveCreatedAt: new Date(row.archive_created_at),
    finishedAt: new Date(row.finished_at),
    ok: row.ok,
    facts: typeof row.facts === 'string' ? JSON.parse(row.facts) : row.facts,
  };
}

/**
 * What the evidence checks and the metrics read about backups: the schedule, the newest archive
 * in the target, the latest drill, and whether an archive still authenticates (read whole, once per
 * file version: a file changed on disk is read again).
 */
export interface BackupStatus {
  readonly schedule: { intervalMs: number; keep: number; dir: string } | null;
  newestArchive(): Promise<StoredArchive | null>;
  archiveCount(): Promise<number>;
  latestDrill(): Promise<BackupRun | null>;
  /** Null when the archive authenticates whole; otherwise why not (one public sentence). */
  archiveProblem(archive: StoredArchive): Promise<string | null>;
}

export function createBackupStatus(db: Database, schedule: BackupSchedule | null): BackupStatus {
  const target: BackupTarget | null = schedule ? createBackupTarget(schedule.dir, schedule.s3) : null;
  const verified = new Map<string, string | null>();
  return {
    schedule: schedule ? { intervalMs: schedule.intervalMs, keep: schedule.keep, dir: schedule.dir } : null,
    async newestArchive() {
      return target ? target.newest() : null;
    },
    async archiveCount() {
      return target ? (await target.list()).length : 0;
    },
    latestDrill: () => latestBackupRun(db, 'drill'),
    async archiveProblem(archive) {
      if (!schedule || !target) return 'no backup key is configured';
      const version = `${archive.file}:${archive.version ?? archive.bytes}`;
      if (!verified.has(version)) {
        if (verified.size > 50) verified.clear();
        const local = await target.open(archive).catch(() => null);
        if (!local) return 'the archive is gone';
        try {
          verified.set(
            version,
            await verifyArchive(local.file, schedule.backupKey).then(
              () => null,
              (error: unknown) => {
                if (!(error instanceof BackupError)) throw error;
                return 'the archive does not authenticate with the backup key (damaged, altered or cut off)';
              },
            ),
          );
        } finally {
          await local.release();
        }
      }
      return verified.get(version) ?? null;
    },
  };
}
