import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { filesUnder, multipart } from '../../../test/support/documents.js';
import { publishedTenant } from '../../../test/support/documents-app.js';
import { startFaultyS3Proxy, startS3Server } from '../../../test/support/s3.js';
import { type App, createApp } from '../../app.js';
import { Sealer } from '../crypto/sealing.js';
import { createS3BlobStore } from './s3-blob-store.js';

const BUCKET = 'attest-faults';
const PREFIX = 'attest/';

/**
 * Uploads to an S3 bucket whose connection breaks: reset after the object was stored, or hanging.
 * The upload answers 503 `storage.unavailable` with Retry-After within the request deadline, and
 * no object stays in the bucket; nothing is written to the database either (decision 0023).
 */
describe.each(testDatabaseKinds)('uploads to a failing S3 bucket on $name', (kind) => {
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let proxy: Awaited<ReturnType<typeof startFaultyS3Proxy>>;
  let app: App;
  let tenant: Awaited<ReturnType<typeof publishedTenant>>;

  beforeAll(async () => {
    s3 = await startS3Server(BUCKET);
    proxy = await startFaultyS3Proxy(s3.endpoint);
    app = await createApp({
      db: await kind.create(),
      sealer: new Sealer(randomBytes(32)),
      publicCacheMs: 0,
      blobs: createS3BlobStore({
        bucket: BUCKET,
        region: 'us-east-1',
        endpoint: proxy.endpoint,
        forcePathStyle: true,
        prefix: PREFIX,
        credentials: s3.credentials,
        connectTimeoutMs: 500,
        requestTimeoutMs: 1_000,
      }),
    });
    tenant = await publishedTenant(app, 's3-faults');
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    await s3?.close();
  });

  const objects = () =>
    filesUnder(s3.directory).filter((file) => file.includes(`${PREFIX}${tenant.tenant.id}`));

  function upload(title: string) {
    const body = multipart(
      { title, accessLevel: 'private' },
      { filename: 'notes.txt', data: Buffer.from(`notes of ${title}\n`), contentType: 'text/plain' },
    );
    return app.server.inject({
      method: 'POST',
      url: '/api/v1/documents',
      headers: { authorization: tenant.authorization, ...body.headers },
      payload: body.payload,
    });
  }

  async function documentCount() {
    const list = await app.server.inject({
      method: 'GET',
      url: '/api/v1/documents',
      headers: { authorization: tenant.authorization },
    });
    return (list.json() as { items: unknown[] }).items.length;
  }

  function expectStorageUnavailable(response: Awaited<ReturnType<typeof upload>>) {
    expect(response.statusCode, response.body).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toEqual({
      error: {
        code: 'storage.unavailable',
        message: 'The file could not be stored right now. Nothing was saved; try again in a moment.',
        requestId: expect.any(String),
      },
    });
  }

  it('works through the proxy when nothing breaks', async () => {
    proxy.set('forward');
    expect((await upload('fine')).statusCode).toBe(201);
    expect(objects()).not.toHaveLength(0);
  });

  it('leaves no object behind when the connection is reset after the bucket stored it', async () => {
    const before = {
      objects: objects().length,
      documents: await documentCount(),
      resets: proxy.counts.resets,
    };
    proxy.set('reset-after-put');
    try {
      expectStorageUnavailable(await upload('reset'));
    } finally {
      proxy.set('forward');
    }
    // The bucket did store the object (the reset came after), and the failed upload deleted it.
    expect(proxy.counts.resets).toBeGreaterThan(before.resets);
    expect(objects()).toHaveLength(before.objects);
    expect(await documentCount()).toBe(before.documents);
  });

  it('gives up on a bucket that never answers within the request deadline', async () => {
    const before = { objects: objects().length, documents: await documentCount() };
    proxy.set('hang-put');
    const started = performance.now();
    try {
      expectStorageUnavailable(await upload('hang'));
    } finally {
      proxy.set('forward');
    }
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(objects()).toHaveLength(before.objects);
    expect(await documentCount()).toBe(before.documents);
  });
});
