import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTemplate } from '../../test/support/database-templates.js';
import { freshPostgresDatabase, hasPostgres } from '../../test/support/databases.js';
import { sampleDocument } from '../../test/support/fixtures.js';
import { checks } from '../modules/evidence/checks/index.js';
import { systemContext } from '../platform/auth/context.js';
import { type BackupSchedule, createBackupStatus } from '../platform/backup/backup-status.js';
import { createBackupTarget } from '../platform/backup/backup-target.js';
import type { Clock } from '../platform/clock.js';
import { Sealer } from '../platform/crypto/sealing.js';
import { type Database, openDatabase } from '../platform/db/client.js';
import { migrate } from '../platform/db/migrate.js';
import { createLogger } from '../platform/logging/logger.js';
import { createMetrics } from '../platform/metrics/metrics.js';
import { createLocalBlobStore } from '../platform/storage/local-blob-store.js';
import { createServices } from '../services.js';
import { createBackupJob, FIRST_BACKUP_DELAY_MS } from './backups.js';
import { runRestoreDrill } from './restore-drill.js';

/*
 * Scheduled backups and restore drills (decision 0027), with two workers on one database: one
 * backup per interval whatever the number of workers, the drill restores it into a scratch
 * database and verifies it, and the evidence checks pass only while that holds.
 */
const HOUR = 60 * 60_000;
const logger = createLogger('silent');
const sealer = new Sealer(randomBytes(32));
const suffix = randomBytes(4).toString('hex');
const backupRole = `attest_drill_backup_${suffix}`;

interface Installation {
  /** Two handles on the database, as two worker processes have. */
  dbs: [Database, Database];
  backupUrl: string | undefined;
  close(): Promise<void>;
}

async function installation(kind: 'pglite' | 'postgres'): Promise<Installation> {
  if (kind === 'pglite') {
    const db = await openDatabase({ pgliteDir: 'memory://' });
    await migrate(db);
    return { dbs: [db, db], backupUrl: undefined, close: () => db.close() };
  }
  const server = process.env.TEST_DATABASE_URL ?? '';
  const fresh = await freshPostgresDatabase(await postgresTemplate(server));
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  // The backup role as docs/operations.md sets it up: reads every row, makes the drill's scratch database.
  await admin.query(
    `DO $$ BEGIN CREATE ROLE ${backupRole} LOGIN BYPASSRLS CREATEDB IN ROLE pg_read_all_data, attest_app, attest_platform;
     EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
  );
  await admin.end();
  const backupUrl = new URL(fresh.url);
  backupUrl.username = backupRole;
  backupUrl.password = '';
  const dbs: [Database, Database] = [
    await openDatabase({ url: fresh.url }),
    await openDatabase({ url: fresh.url }),
  ];
  return {
    dbs,
    backupUrl: backupUrl.toString(),
    async close() {
      for (const db of dbs) await db.close();
      await fresh.drop();
    },
  };
}

afterAll(async () => {
  if (!hasPostgres) return;
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP ROLE IF EXISTS ${backupRole}`);
  await admin.end();
});

describe.each(hasPostgres ? (['pglite', 'postgres'] as const) : (['pglite'] as const))(
  'scheduled backups and restore drills (%s)',
  (kind) => {
    let site: Installation;
    let scratch: string;
    let schedule: BackupSchedule;
    let now = new Date('2026-12-03T10:00:00.000Z');
    const clock: Clock = () => now;
    const started = new Date(now.getTime() - FIRST_BACKUP_DELAY_MS);

    const jobs = () =>
      site.dbs.map((db) =>
        createBackupJob({
          db,
          schedule,
          sealer,
          blobs: createLocalBlobStore(path.join(scratch, 'blobs')),
          clock,
          logger,
          startedAt: started,
        }),
      );
    const check = (key: 'backup-freshness' | 'restore-drill') =>
      checks[key]({
        db: site.dbs[0],
        clock,
        tenantId: '00000000-0000-0000-0000-000000000000',
        backups: createBackupStatus(site.dbs[0], schedule),
      } as never);

    beforeAll(async () => {
      site = await installation(kind);
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-backups-'));
      schedule = {
        dir: path.join(scratch, 'backups'),
        intervalMs: 6 * HOUR,
        keep: 2,
        backupKey: randomBytes(32),
        backupUrl: site.backupUrl,
      };
      const services = createServices({
        db: site.dbs[0],
        sealer,
        blobs: createLocalBlobStore(path.join(scratch, 'blobs')),
      });
      for (const slug of ['drilled', 'second']) {
        const tenant = await services.tenants.create({ slug, name: slug });
        const ctx = systemContext(tenant.id, 'test');
        await services.transfer.importDraft(ctx, sampleDocument(slug.toUpperCase()), { publish: true });
        await services.documents.create(
          ctx,
          { title: 'Report', accessLevel: 'public' },
          { filename: 'r.txt', data: Buffer.from(`the ${slug} report`) },
        );
      }
    }, 120_000);
    afterAll(async () => {
      await site.close();
      fs.rmSync(scratch, { recursive: true, force: true });
    });

    it('before the first backup both checks fail', async () => {
      expect(await check('backup-freshness')).toMatchObject({ status: 'fail', facts: { archives: 0 } });
      expect(await check('restore-drill')).toMatchObject({ status: 'fail' });
      // Nor does a worker that has just started take one (a first embedded start restarts itself).
      const fresh = createBackupJob({
        db: site.dbs[0],
        schedule,
        sealer,
        blobs: createLocalBlobStore(path.join(scratch, 'blobs')),
        clock,
        logger,
        startedAt: now,
      });
      expect((await fresh.tick()).backup).toBeNull();
      expect(fs.existsSync(schedule.dir)).toBe(false);
    });

    it('two workers ticking together take one backup per interval, drill it once, and keep the newest two', async () => {
      const target = createBackupTarget(schedule.dir);
      for (let round = 1; round <= 3; round += 1) {
        const reports = await Promise.all(jobs().map((job) => job.tick()));
        expect(reports.filter((report) => report.backup).length).toBe(1);
        expect(reports.filter((report) => report.drill).length).toBe(1);
        expect(reports.find((report) => report.drill)?.drill?.error).toBeUndefined();
        expect(reports.find((report) => report.drill)?.drill).toMatchObject({
          ok: true,
          facts: { documentsDecrypted: 2, documentsInBackup: 2, tenantsVerified: 2 },
        });
        // Ticking again within the interval: nothing.
        const again = await Promise.all(jobs().map((job) => job.tick()));
        expect(again.every((report) => !report.backup && !report.drill)).toBe(true);
        expect((await target.list()).length).toBe(Math.min(round, 2));
        now = new Date(now.getTime() + schedule.intervalMs);
      }
      now = new Date(now.getTime() - schedule.intervalMs + HOUR);
    }, 240_000);

    it('the checks pass with the drilled newest backup and report the measured restore', async () => {
      const freshness = await check('backup-freshness');
      expect(freshness).toMatchObject({ status: 'pass', facts: { archives: 2, intervalMinutes: 360 } });
      const drill = await check('restore-drill');
      expect(drill.status).toBe('pass');
      expect(drill.facts).toMatchObject({ drillSucceeded: true, documentsDecrypted: 2, tenantsVerified: 2 });
      expect(Number(drill.facts.restoreMs)).toBeGreaterThan(0);
      expect(Number(drill.facts.rowsVerified)).toBeGreaterThan(20);
      // The gauges the alerts in deploy/kubernetes watch, read from the database by any process.
      const metrics = await createMetrics({ db: site.dbs[1], role: 'worker' });
      const body = (await metrics.render()).body;
      expect(body).toMatch(/^attest_restore_drill_success\{role="worker"\} 1$/m);
      const age = Number(/^attest_backup_newest_age_seconds\{role="worker"\} (\S+)$/m.exec(body)?.[1]);
      // The newest archive is named by the test's clock; the gauge reads the wall clock.
      expect(age).toBeGreaterThanOrEqual(0);
    });

    it('a corrupted backup fails the drill and the check', async () => {
      const newest = await createBackupTarget(schedule.dir).newest();
      if (!newest) throw new Error('no backup');
      const bytes = fs.readFileSync(newest.file);
      bytes[Math.floor(bytes.length / 3)] = (bytes[Math.floor(bytes.length / 3)] ?? 0) ^ 0x80;
      fs.writeFileSync(newest.file, bytes);
      const drilled = await runRestoreDrill({
        archive: newest,
        backupKey: schedule.backupKey,
        sealer,
        clock,
        kind,
        backupUrl: site.backupUrl,
      });
      expect(drilled).toMatchObject({
        ok: false,
        facts: { failure: 'the archive does not authenticate with the backup key' },
      });
      expect(await check('restore-drill')).toMatchObject({
        status: 'fail',
        summary: expect.stringMatching(
          /^The newest backup cannot be restored: the archive does not authenticate/,
        ),
      });
      if (kind === 'postgres') {
        // The drill dropped its scratch database, even when it failed.
        const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
        await admin.connect();
        const { rows } = await admin.query(
          `SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 'attest_drill_%'`,
        );
        await admin.end();
        expect(rows[0].n).toBe(0);
      }
    }, 120_000);

    it('missing or stale backups fail both checks', async () => {
      now = new Date(now.getTime() + 2 * schedule.intervalMs);
      expect(await check('backup-freshness')).toMatchObject({
        status: 'fail',
        summary: expect.stringMatching(/^The newest backup is \d+ minutes old; the schedule allows 420/),
      });
      fs.rmSync(schedule.dir, { recursive: true, force: true });
      expect(await check('backup-freshness')).toMatchObject({ status: 'fail', facts: { archives: 0 } });
      expect(await check('restore-drill')).toMatchObject({
        status: 'fail',
        summary: 'There is no backup to restore.',
      });
    });
  },
);
