import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPostgres } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { createApp } from '../../app.js';
import { verifyAuditChain } from '../../modules/audit/audit.service.js';
import { systemContext } from '../auth/context.js';
import { Sealer } from '../crypto/sealing.js';
import { createJobQueue } from '../jobs/queue.js';
import { createLocalBlobStore } from '../storage/local-blob-store.js';
import { openDatabase } from './client.js';
import { migrate } from './migrate.js';

/*
 * docs/operations.md, "Back up and restore", as an operator follows it on PostgreSQL: Attest runs
 * as a login role that owns its database (no superuser), a backup role with BYPASSRLS dumps it
 * with pg_dump, and scripts/restore.sh restores the dump into a new, empty database owned by the
 * login role. Then Attest starts on the restored database: the page, the audit chain and a
 * document are as they were.
 */
const repositoryRoot = path.resolve(new URL('../../..', import.meta.url).pathname);
const suffix = randomBytes(4).toString('hex');
const owner = `attest_restore_owner_${suffix}`;
const backupRole = `attest_restore_backup_${suffix}`;
const source = `attest_restore_src_${suffix}`;
const target = `attest_restore_dst_${suffix}`;

function urlOf(database: string, user: string): string {
  const url = new URL(process.env.TEST_DATABASE_URL ?? '');
  url.pathname = `/${database}`;
  url.username = user;
  url.password = '';
  return url.toString();
}

describe.runIf(hasPostgres)('backing up with pg_dump and restoring with scripts/restore.sh', () => {
  let admin: pg.Client;
  let scratch: string;
  let blobDir: string;
  const sealer = new Sealer(randomBytes(32));

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    // As the docs set them up: the login role owns its database and may create roles once.
    await admin.query(`CREATE ROLE ${owner} LOGIN CREATEROLE`);
    await admin.query(`CREATE ROLE ${backupRole} LOGIN BYPASSRLS IN ROLE pg_read_all_data`);
    await admin.query(`CREATE DATABASE ${source} OWNER ${owner}`);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-restore-'));
    blobDir = path.join(scratch, 'blobs');
  });
  afterAll(async () => {
    for (const database of [source, target])
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    // Membership grants the restore made go with the role.
    for (const role of [owner, backupRole]) await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('restores a tenant into an empty database: its page, audit chain and document are as before', async () => {
    // A small tenant: published content, a document (an encrypted blob), audit events.
    const sourceDb = await openDatabase({ url: urlOf(source, owner) });
    await migrate(sourceDb);
    const before = await createApp({
      db: sourceDb,
      sealer,
      blobs: createLocalBlobStore(blobDir),
      publicCacheMs: 0,
    });
    const tenant = await before.services.tenants.create({ slug: 'restored', name: 'Restored Ltd' });
    const ctx = systemContext(tenant.id, 'test');
    await before.services.transfer.importDraft(ctx, sampleDocument('RESTORED'), { publish: true });
    const document = await before.services.documents.create(
      ctx,
      { title: 'Pentest summary', accessLevel: 'public' },
      { filename: 'summary.txt', data: Buffer.from('the findings, all fixed') },
    );
    // The job queue's schema (pg-boss) is part of the database too, with a job waiting in it.
    const queue = createJobQueue(sourceDb, { supervise: false });
    await queue.start();
    await queue.createQueue('restore-probe');
    await queue.send('restore-probe', { waiting: 'since the backup' });
    await queue.stop({ graceful: false, close: false, wait: true });
    const page = await before.server.inject({ method: 'GET', url: '/t/restored/security' });
    expect(page.statusCode).toBe(200);
    const events = await verifyAuditChain(before.db, tenant.id);
    expect(events).toMatchObject({ ok: true });
    expect(events.events).toBeGreaterThan(0);
    await before.close();

    // Back up (docs: pg_dump as the backup role), restore (docs: a new empty database, the script).
    const archive = path.join(scratch, 'attest.dump');
    execFileSync('pg_dump', ['--format=custom', '--file', archive, urlOf(source, backupRole)], {
      stdio: 'pipe',
    });
    await admin.query(`CREATE DATABASE ${target} OWNER ${owner}`);
    const restore = (file: string) =>
      spawnSync('scripts/restore.sh', [file], {
        cwd: repositoryRoot,
        env: { ...process.env, DATABASE_URL: urlOf(target, owner) },
        encoding: 'utf8',
      });
    const restored = restore(archive);
    expect(restored.stderr).toBe('');
    expect(restored.status).toBe(0);

    // Attest starts on it: nothing to migrate, and every tenant's data is back.
    const targetDb = await openDatabase({ url: urlOf(target, owner) });
    expect((await migrate(targetDb)).applied).toEqual([]);
    const after = await createApp({
      db: targetDb,
      sealer,
      blobs: createLocalBlobStore(blobDir),
      publicCacheMs: 0,
    });
    try {
      const again = await after.server.inject({ method: 'GET', url: '/t/restored/security' });
      expect(again.statusCode).toBe(200);
      expect(again.body).toBe(page.body);
      expect(await verifyAuditChain(after.db, tenant.id)).toEqual(events);
      const file = await after.services.documents.readFile(ctx, document.id);
      expect(file.bytes.toString()).toBe('the findings, all fixed');
      // The queue starts on the restored schema as the login role, and its job is there.
      const restoredQueue = createJobQueue(targetDb, { supervise: false });
      await restoredQueue.start();
      const [job] = await restoredQueue.fetch('restore-probe');
      await restoredQueue.stop({ graceful: false, close: false, wait: true });
      expect(job?.data).toEqual({ waiting: 'since the backup' });
      // Row-level security came back forced, with its grants: a tenant sees its own rows only.
      const other = await after.services.tenants.create({ slug: 'other', name: 'Other' });
      expect(await after.services.documents.list(systemContext(other.id, 'test'))).toEqual([]);
    } finally {
      await after.close();
    }

    // Never over a database in use, and never from a file that is no backup: refused, nothing changed.
    const over = restore(archive);
    expect(over.status).toBe(1);
    expect(over.stderr).toMatch(/^restore: the database is not empty/);
    const bogus = path.join(scratch, 'not-a-dump');
    fs.writeFileSync(bogus, 'hello');
    expect(restore(bogus)).toMatchObject({
      status: 1,
      stderr: expect.stringMatching(/is not a pg_dump archive/),
    });
  });
});
