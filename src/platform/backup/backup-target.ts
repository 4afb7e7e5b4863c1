import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * Where scheduled backups are kept (ATTEST_BACKUP_DIR): a directory, or an S3 prefix written as
 * `s3://bucket/prefix/`. One archive per backup, named by the time it was taken. Only names this
 * file makes are listed or pruned. An archive is written to a local file first and becomes visible
 * only when complete: renamed into the directory, or uploaded in one PUT (an object appears whole
 * or not at all). A partial local archive (a backup killed mid-way) has a hidden temporary name.
 */
const NAME = /^attest-backup-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})(?:\.(\d{3}))?Z\.attest$/;
const PARTIAL = /^\.attest-backup-.+\.partial$/;

export function archiveName(at: Date): string {
  return `attest-backup-${at.toISOString().replace(/:/g, '-')}.attest`;
}

export interface StoredArchive {
  name: string;
  /** A local path (directory target) or the object key (S3). */
  file: string;
  createdAt: Date;
  bytes: number;
  /** Changes when the stored bytes change (mtime, or the object's ETag). */
  version?: string;
}

function createdAtOf(name: string): Date | null {
  const match = NAME.exec(name);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, ms = '000'] = match;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
}

export interface BackupTarget {
  /** Printable location: the directory, or s3://bucket/prefix/. */
  readonly location: string;
  /** The archives, newest first. */
  list(): Promise<StoredArchive[]>;
  newest(): Promise<StoredArchive | null>;
  /** Where to write the archive `name` before `commit` makes it visible. */
  stagingFile(name: string): Promise<string>;
  /** Makes the written archive visible under its name. */
  commit(stagedFile: string, name: string): Promise<void>;
  /** A local file with the archive's bytes, and how to let go of it. */
  open(archive: StoredArchive): Promise<{ file: string; release(): Promise<void> }>;
  /** Removes all but the newest `keep` archives (and old leftovers of killed backups). */
  prune(keep: number, now: Date): Promise<string[]>;
}

export interface S3TargetOptions {
  region: string;
  endpoint?: string | undefined;
  forcePathStyle?: boolean | undefined;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

export function createBackupTarget(location: string, s3?: S3TargetOptions): BackupTarget {
  if (location.startsWith('s3://')) return createS3BackupTarget(location, s3 ?? { region: 'us-east-1' });
  return createDirectoryTarget(location);
}

function newestOf(archives: StoredArchive[]): StoredArchive[] {
  return archives.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

function createDirectoryTarget(dir: string): BackupTarget {
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
      if (stat?.isFile())
        archives.push({ name, file, createdAt, bytes: stat.size, version: `${stat.size}:${stat.mtimeMs}` });
    }
    return newestOf(archives);
  }
  return {
    location: root,
    list,
    async newest() {
      return (await list())[0] ?? null;
    },
    // createBackup writes a hidden temporary file beside it and renames it: visible when complete.
    async stagingFile(name) {
      return path.join(root, name);
    },
    async commit() {},
    async open(archive) {
      return { file: archive.file, release: async () => {} };
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

function createS3BackupTarget(location: string, options: S3TargetOptions): BackupTarget {
  const url = new URL(location);
  const bucket = url.hostname;
  const prefix = url.pathname.replace(/^\/+/, '').replace(/([^/])$/, '$1/');
  let client: Promise<{ client: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> | undefined;
  const connect = () => {
    client ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: options.region,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        forcePathStyle: options.forcePathStyle ?? false,
        ...(options.credentials ? { credentials: options.credentials } : {}),
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    }));
    return client;
  };
  async function list(): Promise<StoredArchive[]> {
    const { client: s3, sdk } = await connect();
    const archives: StoredArchive[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        const name = (object.Key ?? '').slice(prefix.length);
        const createdAt = createdAtOf(name);
        if (!createdAt || !object.Key) continue;
        archives.push({
          name,
          file: object.Key,
          createdAt,
          bytes: object.Size ?? 0,
          version: object.ETag ?? '',
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return newestOf(archives);
  }
  const scratch = () => fs.mkdtemp(path.join(os.tmpdir(), 'attest-backup-'));
  return {
    location: `s3://${bucket}/${prefix}`,
    list,
    async newest() {
      return (await list())[0] ?? null;
    },
    async stagingFile(name) {
      return path.join(await scratch(), name);
    },
    async commit(stagedFile, name) {
      const { client: s3, sdk } = await connect();
      try {
        const { size } = await fs.stat(stagedFile);
        await s3.send(
          new sdk.PutObjectCommand({
            Bucket: bucket,
            Key: `${prefix}${name}`,
            Body: createReadStream(stagedFile),
            ContentLength: size,
          }),
        );
      } finally {
        await fs.rm(path.dirname(stagedFile), { recursive: true, force: true });
      }
    },
    async open(archive) {
      const { client: s3, sdk } = await connect();
      const dir = await scratch();
      const file = path.join(dir, `${randomBytes(4).toString('hex')}-${archive.name}`);
      const release = () => fs.rm(dir, { recursive: true, force: true });
      try {
        const object = await s3.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: archive.file }));
        await pipeline(object.Body as NodeJS.ReadableStream, createWriteStream(file, { mode: 0o600 }));
      } catch (error) {
        await release();
        throw error;
      }
      return { file, release };
    },
    async prune(keep) {
      const { client: s3, sdk } = await connect();
      const removed: string[] = [];
      for (const archive of (await list()).slice(keep)) {
        await s3.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: archive.file }));
        removed.push(archive.name);
      }
      return removed;
    },
  };
}
