import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/platform/auth/context.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import { type Database, openDatabase, resultRows } from '../../src/platform/db/client.js';
import { createLocalBlobStore } from '../../src/platform/storage/local-blob-store.js';
import { createServices } from '../../src/services.js';
import { postgresTemplate } from '../support/database-templates.js';
import { freshPostgresDatabase, hasPostgres } from '../support/databases.js';
import { sampleDocument } from '../support/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TENANTS = 4;

/**
 * Two `--role worker` processes on one PostgreSQL database and several queued exports: each
 * export is run by exactly one of them, once, and finishes.
 */
describe.runIf(hasPostgres)('tenant exports with two worker processes', () => {
  let database: { url: string; drop(): Promise<void> };
  let db: Database;
  const masterKey = randomBytes(32);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-export-workers-'));
  const children: ChildProcess[] = [];
  const started: string[] = [];

  function startWorker(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        ATTEST_DATA_DIR: dataDir,
        ATTEST_MASTER_KEY: masterKey.toString('base64'),
        NODE_ENV: 'test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors = `${errors}${chunk}`.slice(-4000);
    });
    return new Promise((resolve, reject) => {
      let buffered = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const entry = JSON.parse(line) as { msg?: string; exportId?: string };
          if (entry.msg === 'worker ready') resolve();
          if (entry.msg === 'tenant export started' && entry.exportId) started.push(entry.exportId);
        }
      });
      child.once('exit', (code) =>
        reject(new Error(`worker exited (${code}) before it was ready: ${errors}`)),
      );
    });
  }

  beforeAll(async () => {
    database = await freshPostgresDatabase(await postgresTemplate(process.env.TEST_DATABASE_URL ?? ''));
    db = await openDatabase({ url: database.url });
    const services = createServices({
      db,
      sealer: new Sealer(masterKey),
      blobs: createLocalBlobStore(path.join(dataDir, 'blobs')),
    });
    for (let i = 0; i < TENANTS; i += 1) {
      const tenant = await services.tenants.create({ slug: `export-${i}`, name: `Export ${i}` });
      const ctx = systemContext(tenant.id, 'scale-test');
      await services.transfer.importDraft(ctx, sampleDocument(`E${i}`), { publish: true });
      await services.documents.create(
        ctx,
        { title: 'Report', category: 'pentest', accessLevel: 'gated' },
        { filename: 'report.txt', data: Buffer.from(randomBytes(200_000).toString('base64')) },
      );
      await services.tenantExports.request(ctx);
    }
    // One after the other: two first starts at once can deadlock in pg-boss' queue creation.
    await startWorker();
    await startWorker();
  }, 180_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve))),
      ),
    );
    await db?.close();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs every queued export once, each by one worker', async () => {
    const deadline = Date.now() + 120_000;
    let rows: { id: string; state: string; attempts: number }[] = [];
    for (;;) {
      rows = resultRows(await db.orm.execute(sql`select id, state, attempts from tenant_exports`));
      if (rows.every((row) => row.state === 'done') || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(rows).toHaveLength(TENANTS);
    expect(rows.map((row) => row.state)).toEqual(Array(TENANTS).fill('done'));
    expect(rows.map((row) => row.attempts)).toEqual(Array(TENANTS).fill(1));
    expect([...started].sort()).toEqual(rows.map((row) => row.id).sort());
  }, 150_000);
});
