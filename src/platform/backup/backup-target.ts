import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Where scheduled backups are kept: a directory (ATTEST_BACKUP_DIR), one archive per backup, named
 * by the time it was taken. Only names this file makes are listed or pruned; a partial archive (a
 * backup killed mid-way) has a hidden temporary name and is never taken for a backup.
 */
const NAME = /^attest-backup-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})(?:\.(\d{3}))?Z\.attest$/;
const PARTIAL = /^\.attest-backup-.+\.partial$/;

export function archiveName(at: Date): string {
  return `attest-backup-${at.toISOString().replace(/:/g, '-')}.attest`;
}

export interface StoredArchive {
  name: string;
  file: string;
  createdAt: Date;
  bytes: number;
}

function createdAtOf(name: string): Date | null {
  const match = NAME.exec(name);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, ms = '000'] = match;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
}

export interface BackupTarget {
  readonly dir: string;
  /** The archives, newest first. */
  list(): Promise<StoredArchive[]>;
  newest(): Promise<StoredArchive | null>;
  /** Removes all but the newest `keep` archives, and partial ones older than an hour. */
  prune(keep: number, now: Date): Promise<string[]>;
}

export function createBackupTarget(dir: string): BackupTarget {
  const root = path.resolve(dir);
  async function list(): Promise<StoredArchive[]> {
    let names: string[];
    try {
      names = await fs.readdir(root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const archives: StoredArchive[] = [];
    for (const name of names) {
      const createdAt = createdAtOf(name);
      if (!createdAt) continue;
      const file = path.join(root, name);
      const stat = await fs.stat(file).catch(() => null);
      if (stat?.isFile()) archives.push({ name, file, createdAt, bytes: stat.size });
    }
    return archives.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }
  return {
    dir: root,
    list,
    async newest() {
      return (await list())[0] ?? null;
    },
    async prune(keep, now) {
      const removed: string[] = [];
      for (const archive of (await list()).slice(keep)) {
        await fs.rm(archive.file, { force: true });
        removed.push(archive.name);
      }
      for (const name of await fs.readdir(root).catch(() => [] as string[])) {
        if (!PARTIAL.test(name)) continue;
        const stat = await fs.stat(path.join(root, name)).catch(() => null);
        if (stat && now.getTime() - stat.mtime.getTime() > 60 * 60_000)
          await fs.rm(path.join(root, name), { force: true });
      }
      return removed;
    },
  };
}
