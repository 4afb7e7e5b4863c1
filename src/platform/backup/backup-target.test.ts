import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server } from '../../../test/support/s3.js';
import { checks } from '../../modules/evidence/checks/index.js';
import { createServices } from '../../services.js';
import { systemContext } from '../auth/context.js';
import { Sealer } from '../crypto/sealing.js';
import { type Database, openDatabase } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { createLogger } from '../logging/logger.js';
import { createLocalBlobStore } from '../storage/local-blob-store.js';
import { type BackupSchedule, createBackupStatus } from './backup-status.js';
import { archiveName, createBackupTarget } from './backup-target.js';

/* Backups kept under an S3 prefix (ATTEST_BACKUP_DIR=s3://bucket/prefix/), against a real S3-compatible server. */
const BUCKET = 'attest-backups';

describe('backups under an S3 prefix', () => {
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let scratch: string;
  let db: Database;
  const options = () => ({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: s3.credentials,
  });

  beforeAll(async () => {
    s3 = await startS3Server(BUCKET);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-s3-backups-'));
    db = await openDatabase({ pgliteDir: 'memory://' });
    await migrate(db);
  }, 60_000);
  afterAll(async () => {
    await db.close();
    await s3.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('lists only complete archives it named, newest first, reads them back and prunes the oldest', async () => {
    const target = createBackupTarget(`s3://${BUCKET}/installation-a`, options());
    expect(target.location).toBe(`s3://${BUCKET}/installation-a/`);
    const times = ['2026-12-01T02:00:00.000Z', '2026-12-02T02:00:00.000Z', '2026-12-03T02:00:00.000Z'];
    for (const [index, time] of times.entries()) {
      const name = archiveName(new Date(time));
      const staged = await target.stagingFile(name);
      fs.writeFileSync(staged, `archive ${index}`);
      await target.commit(staged, name);
      // The local copy is gone once it is uploaded.
      expect(fs.existsSync(staged)).toBe(false);
    }
    const listed = await target.list();
    expect(listed.map((archive) => archive.createdAt.toISOString())).toEqual([...times].reverse());
    const newest = await target.newest();
    if (!newest) throw new Error('no newest archive');
    const local = await target.open(newest);
    expect(fs.readFileSync(local.file, 'utf8')).toBe('archive 2');
    await local.release();
    expect(fs.existsSync(local.file)).toBe(false);
    expect(await target.prune(2, new Date())).toEqual([archiveName(new Date(times[0] ?? ''))]);
    expect((await target.list()).length).toBe(2);
    // Another prefix of the same bucket is another installation's.
    expect(await createBackupTarget(`s3://${BUCKET}/installation-b/`, options()).list()).toEqual([]);
  });

  it('the worker backs up into the prefix and drills from it, and the checks read it', async () => {
    const { createBackupJob, FIRST_BACKUP_DELAY_MS } = await import('../../worker/backups.js');
    const sealer = new Sealer(randomBytes(32));
    const blobs = createLocalBlobStore(path.join(scratch, 'blobs'));
    const services = createServices({ db, sealer, blobs });
    const tenant = await services.tenants.create({ slug: 'in-s3', name: 'In S3' });
    await services.documents.create(
      systemContext(tenant.id, 'test'),
      { title: 'Report', accessLevel: 'public' },
      { filename: 'r.txt', data: Buffer.from('kept in a bucket') },
    );
    const schedule: BackupSchedule = {
      dir: `s3://${BUCKET}/worker/`,
      s3: options(),
      intervalMs: 60 * 60_000,
      keep: 3,
      backupKey: randomBytes(32),
      backupUrl: undefined,
    };
    const now = new Date();
    const job = createBackupJob({
      db,
      schedule,
      sealer,
      blobs,
      clock: () => now,
      logger: createLogger('silent'),
      startedAt: new Date(now.getTime() - FIRST_BACKUP_DELAY_MS),
    });
    const report = await job.tick();
    expect(report.backup?.blobs).toBe(1);
    expect(report.drill).toMatchObject({ ok: true, facts: { documentsDecrypted: 1 } });
    const status = createBackupStatus(db, schedule);
    const deps = { db, clock: () => now, tenantId: tenant.id, backups: status } as never;
    expect(await checks['backup-freshness'](deps)).toMatchObject({ status: 'pass', facts: { archives: 1 } });
    expect(await checks['restore-drill'](deps)).toMatchObject({ status: 'pass' });
  }, 120_000);
});
