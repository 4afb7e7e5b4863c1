import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { startPagingS3Server } from '../../test/support/s3.js';
import { documentVersions } from '../modules/documents/documents.schema.js';
import { systemContext } from '../platform/auth/context.js';
import { Sealer } from '../platform/crypto/sealing.js';
import type { Database } from '../platform/db/client.js';
import { withTenant } from '../platform/db/tenancy.js';
import { createFormRateLimiter } from '../platform/http/form-rate-limit.js';
import { createLogger } from '../platform/logging/logger.js';
import { type BlobStore, blobKeyOf } from '../platform/storage/blob-store.js';
import { createBlobVault } from '../platform/storage/blob-vault.js';
import { createLocalBlobStore } from '../platform/storage/local-blob-store.js';
import { createS3BlobStore } from '../platform/storage/s3-blob-store.js';
import { createServices, type Services } from '../services.js';
import { BLOB_SWEEP_GRACE_MS, sweepOrphanBlobs } from './blob-sweep.js';
import { createScheduler } from './scheduler.js';

const HOUR = 60 * 60_000;
const BUCKET = 'attest-sweep';

/** A document with its file, through the service as an upload makes it: its blob has a row. */
async function documentWithFile(db: Database, services: Services, tenantId: string): Promise<string> {
  const document = await services.documents.create(
    systemContext(tenantId, 'test'),
    { title: 'Kept report', accessLevel: 'public' },
    { filename: 'report.txt', data: Buffer.from('a file that a row refers to') },
  );
  const [version] = await withTenant(db, tenantId, (tx) =>
    tx
      .select({ blobId: documentVersions.blobId })
      .from(documentVersions)
      .where(eq(documentVersions.documentId, document.id)),
  );
  if (!version) throw new Error('the document has no stored file');
  return version.blobId;
}

describe.each(testDatabaseKinds)('the orphan blob sweep on $name', (kind) => {
  let db: Database;
  let services: Services;
  let sealer: Sealer;
  let dir: string;
  let store: BlobStore;
  let tenantId = '';

  beforeAll(async () => {
    db = await kind.create();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-sweep-'));
    store = createLocalBlobStore(dir);
    sealer = new Sealer(randomBytes(32));
    services = createServices({ db, sealer, blobs: store });
    tenantId = (await services.tenants.create({ slug: 'sweep', name: 'Sweep' })).id;
  });
  afterAll(async () => {
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const fileOf = (tenant: string, blobId: string) => path.join(dir, ...blobKeyOf(tenant, blobId).split('/'));
  const age = (file: string, ms: number) => {
    const then = new Date(Date.now() - ms);
    fs.utimesSync(file, then, then);
  };
  /** What a write killed between its temporary file and the rename leaves, named as put names it. */
  const temporary = (tenant: string, ageMs: number) => {
    const file = path.join(dir, tenant, `.${randomUUID()}.${randomBytes(6).toString('hex')}.tmp`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomBytes(100));
    age(file, ageMs);
    return file;
  };
  /** What a process killed right after the rename leaves: a whole blob whose row was never written. */
  const orphan = async (tenant: string, ageMs: number) => {
    const vault = createBlobVault({ db, store, sealer, clock: () => new Date() });
    const file = fileOf(tenant, await vault.write(tenant, Buffer.from('never committed')));
    age(file, ageMs);
    return file;
  };

  it('removes only old orphans and old temporary files: a document’s blob and anything recent stay', async () => {
    const kept = fileOf(tenantId, await documentWithFile(db, services, tenantId));
    age(kept, 3 * HOUR);
    const staleOrphan = await orphan(tenantId, 2 * HOUR);
    const freshOrphan = await orphan(tenantId, 5 * 60_000); // an upload whose row is still on its way
    const staleTemp = temporary(tenantId, 2 * HOUR);
    const freshTemp = temporary(tenantId, 60_000); // a write under way
    // A tenant that was deleted while its files could not be removed: nothing refers to them.
    const goneTenant = randomUUID();
    const ofGoneTenant = path.join(dir, goneTenant, randomUUID());
    fs.mkdirSync(path.dirname(ofGoneTenant), { recursive: true });
    fs.writeFileSync(ofGoneTenant, 'left behind');
    age(ofGoneTenant, 2 * HOUR);
    // Not named as Attest names its files: never touched.
    const foreign = path.join(dir, 'README');
    fs.writeFileSync(foreign, 'an operator’s note');
    age(foreign, 48 * HOUR);

    const report = await sweepOrphanBlobs({ db, store, now: new Date() });

    expect(report).toEqual({ checked: 3, orphans: 2, temporaries: 1 });
    for (const gone of [staleOrphan, staleTemp, ofGoneTenant]) expect(fs.existsSync(gone), gone).toBe(false);
    for (const stays of [kept, freshOrphan, freshTemp, foreign])
      expect(fs.existsSync(stays), stays).toBe(true);
    // The document still downloads.
    const [document] = await services.documents.list(systemContext(tenantId, 'test'));
    const file = await services.documents.readFile(systemContext(tenantId, 'test'), document?.id ?? '');
    expect(file.bytes.toString()).toBe('a file that a row refers to');
  });

  it('two sweeps at once both finish, and together remove every old orphan once and nothing else', async () => {
    const kept = fileOf(tenantId, await documentWithFile(db, services, tenantId));
    age(kept, 3 * HOUR);
    const orphans = await Promise.all(Array.from({ length: 20 }, () => orphan(tenantId, 2 * HOUR)));
    const temps = Array.from({ length: 5 }, () => temporary(tenantId, 2 * HOUR));

    const [first, second] = await Promise.all([
      sweepOrphanBlobs({ db, store, now: new Date() }),
      sweepOrphanBlobs({ db, store, now: new Date() }),
    ]);

    for (const gone of [...orphans, ...temps]) expect(fs.existsSync(gone)).toBe(false);
    expect(fs.existsSync(kept)).toBe(true);
    // Each sweep removed what it saw; a removal the other got to first is no error.
    expect((first?.orphans ?? 0) + (second?.orphans ?? 0)).toBeGreaterThanOrEqual(orphans.length);
    expect(await sweepOrphanBlobs({ db, store, now: new Date() })).toMatchObject({
      orphans: 0,
      temporaries: 0,
    });
  });

  it('runs hourly in the scheduler tick and logs its counts, no names', async () => {
    const stale = await orphan(tenantId, 2 * HOUR);
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    let now = new Date();
    const scheduler = createScheduler({
      db,
      services,
      limiter: createFormRateLimiter({ db, clock: () => now }),
      dispatch: () => {},
      clock: () => now,
      logger,
      blobs: store,
    });
    const first = await scheduler.tick();
    expect(first.blobSweep).toMatchObject({ orphans: 1 });
    expect(fs.existsSync(stale)).toBe(false);
    const line = lines.find((text) => text.includes('orphan blobs swept'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ orphans: 1, temporaries: 0, driver: 'local' });
    expect(line).not.toContain(path.basename(stale));
    // Not again within the hour.
    now = new Date(now.getTime() + 60_000);
    expect((await scheduler.tick()).blobSweep).toBeNull();
  });

  describe('in an S3-compatible bucket', () => {
    let s3: Awaited<ReturnType<typeof startPagingS3Server>>;
    let bucketStore: BlobStore;
    let raw: S3Client;
    let bucketServices: Services;
    const prefix = 'attest/';

    beforeAll(async () => {
      s3 = await startPagingS3Server(BUCKET);
      bucketStore = createS3BlobStore({
        bucket: BUCKET,
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: s3.credentials,
        prefix,
        // Pages of two keys: the listing must follow continuation tokens to see every object.
        listPageSize: 2,
      });
      raw = new S3Client({
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: s3.credentials,
      });
      bucketServices = createServices({ db, sealer, blobs: bucketStore });
    });
    afterAll(async () => {
      raw?.destroy();
      await s3?.close();
    });

    const objectExists = async (key: string) => (await bucketStore.get(key)) !== null;

    it('lists the prefix, keeps referenced and recent objects and what is not ours, removes old orphans', async () => {
      const keptKey = blobKeyOf(tenantId, await documentWithFile(db, bucketServices, tenantId));
      const vault = createBlobVault({ db, store: bucketStore, sealer, clock: () => new Date() });
      const orphanKey = blobKeyOf(tenantId, await vault.write(tenantId, Buffer.from('lost row')));
      const moreOrphans = await Promise.all(
        Array.from({ length: 4 }, async () =>
          blobKeyOf(tenantId, await vault.write(tenantId, Buffer.from('lost row'))),
        ),
      );
      const foreignKeys = ['other-app/report.pdf', `${prefix}notes.txt`];
      for (const Key of foreignKeys)
        await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'not Attest’s' }));

      // Everything was just written: within the grace period nothing goes.
      expect(await sweepOrphanBlobs({ db, store: bucketStore, now: new Date() })).toMatchObject({
        orphans: 0,
      });
      expect(await objectExists(orphanKey)).toBe(true);

      // Later than the grace period (the bucket's clock cannot be turned back, so the sweep's is turned on).
      const later = new Date(Date.now() + BLOB_SWEEP_GRACE_MS + 60_000);
      const [first, second] = await Promise.all([
        sweepOrphanBlobs({ db, store: bucketStore, now: later }),
        sweepOrphanBlobs({ db, store: bucketStore, now: later }),
      ]);
      expect(first?.orphans).toBeGreaterThanOrEqual(1);
      expect(second?.checked).toBeGreaterThanOrEqual(1);
      for (const key of [orphanKey, ...moreOrphans]) expect(await objectExists(key)).toBe(false);
      expect(await objectExists(keptKey)).toBe(true);
      expect(await sweepOrphanBlobs({ db, store: bucketStore, now: later })).toEqual({
        checked: 1,
        orphans: 0,
        temporaries: 0,
      });
      for (const Key of foreignKeys) expect(await rawExists(Key), Key).toBe(true);
    });

    async function rawExists(Key: string): Promise<boolean> {
      const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
      return raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key })).then(
        () => true,
        () => false,
      );
    }
  });
});

describe('after a writer is killed with SIGKILL mid-write', () => {
  it('the sweep removes what the killed writes left: temporary files and blobs that never got a row', async () => {
    const db = await (
      testDatabaseKinds[0] ?? { create: () => Promise.reject(new Error('no database')) }
    ).create();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-killed-'));
    try {
      const tenant = randomUUID();
      // A process that stores 4 MB blobs, one after the other, as an upload does, until it is killed.
      const script = `
        const { createLocalBlobStore } = await import('./src/platform/storage/local-blob-store.ts');
        const { randomUUID } = await import('node:crypto');
        const store = createLocalBlobStore(${JSON.stringify(dir)});
        const data = Buffer.alloc(4 * 1024 * 1024, 7);
        process.stdout.write('ready\\n');
        for (;;) await store.put(${JSON.stringify(tenant)} + '/' + randomUUID(), data);`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: path.resolve(new URL('../..', import.meta.url).pathname),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise((resolve) => child.stdout.once('data', resolve));
      const tenantDir = path.join(dir, tenant);
      // Killed the moment a write is under way (its temporary file exists), after some have landed.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const names = fs.existsSync(tenantDir) ? fs.readdirSync(tenantDir) : [];
        if (names.some((name) => name.endsWith('.tmp')) && names.length >= 3) break;
        if (Date.now() > deadline) throw new Error('the writer never got under way');
        await new Promise((resolve) => setImmediate(resolve));
      }
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const left = fs.readdirSync(tenantDir);
      expect(left.some((name) => name.endsWith('.tmp'))).toBe(true);
      for (const name of left) {
        const then = new Date(Date.now() - 2 * HOUR);
        fs.utimesSync(path.join(tenantDir, name), then, then);
      }

      const report = await sweepOrphanBlobs({ db, store: createLocalBlobStore(dir), now: new Date() });

      expect(report.temporaries + report.orphans).toBe(left.length);
      expect(report.temporaries).toBeGreaterThanOrEqual(1);
      expect(fs.readdirSync(tenantDir)).toEqual([]);
    } finally {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
