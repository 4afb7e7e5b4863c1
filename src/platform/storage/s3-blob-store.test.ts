import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { filesUnder } from '../../../test/support/documents.js';
import { startS3Server } from '../../../test/support/s3.js';
import { createTenantsService } from '../../modules/tenants/tenants.service.js';
import { Sealer } from '../crypto/sealing.js';
import type { Database } from '../db/client.js';
import { blobKeyOf } from './blob-store.js';
import { BlobIntegrityError, type BlobVault, createBlobVault, DataKeyDestroyedError } from './blob-vault.js';
import { createS3BlobStore } from './s3-blob-store.js';

const BUCKET = 'attest-blobs';

describe.each(testDatabaseKinds)('encrypted blobs in an S3-compatible bucket on $name', (kind) => {
  let db: Database;
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let store: ReturnType<typeof createS3BlobStore>;
  let vault: BlobVault;
  let tenantId = '';
  const plaintext = Buffer.from('CONFIDENTIAL pentest finding: the admin password is hunter2. '.repeat(20));

  beforeAll(async () => {
    db = await kind.create();
    s3 = await startS3Server(BUCKET);
    store = createS3BlobStore({
      bucket: BUCKET,
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      prefix: 'attest/',
      credentials: s3.credentials,
    });
    vault = createBlobVault({ db, store, sealer: new Sealer(randomBytes(32)), clock: () => new Date() });
    tenantId = (await createTenantsService({ db }).create({ slug: 's3-a', name: 'S3 A' })).id;
  });
  afterAll(async () => {
    await s3?.close();
    await db?.close();
  });

  it('stores only ciphertext under the prefix, and reads it back', async () => {
    const blobId = await vault.write(tenantId, plaintext);
    // Everything the S3 server keeps on its disk: object bodies and their metadata.
    const files = filesUnder(s3.directory);
    expect(files.some((file) => file.includes(`attest/${tenantId}/${blobId}`))).toBe(true);
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      expect(bytes.includes(Buffer.from('CONFIDENTIAL'))).toBe(false);
      expect(bytes.includes(Buffer.from('hunter2'))).toBe(false);
    }
    expect(await vault.read(tenantId, blobId)).toEqual(plaintext);
  });

  it('answers null for a missing object, and deleting twice is not an error', async () => {
    const missing = blobKeyOf(tenantId, '00000000-0000-4000-8000-000000000000');
    expect(await store.get(missing)).toBeNull();
    const blobId = await vault.write(tenantId, Buffer.from('short-lived'));
    await vault.remove(tenantId, blobId);
    await vault.remove(tenantId, blobId);
    expect(await store.get(blobKeyOf(tenantId, blobId))).toBeNull();
    await expect(vault.read(tenantId, blobId)).rejects.toThrow();
  });

  it('refuses an object changed in the bucket, and one copied to another id', async () => {
    const blobId = await vault.write(tenantId, plaintext);
    const key = blobKeyOf(tenantId, blobId);
    const original = await store.get(key);
    if (!original) throw new Error('stored object missing');
    const flipped = Buffer.from(original);
    flipped[60] = (flipped[60] ?? 0) ^ 0x01;
    await store.put(key, flipped);
    await expect(vault.read(tenantId, blobId)).rejects.toThrow(BlobIntegrityError);

    const other = await vault.write(tenantId, Buffer.from('other'));
    await store.put(blobKeyOf(tenantId, other), original);
    await expect(vault.read(tenantId, other)).rejects.toThrow(BlobIntegrityError);
  });

  it("makes the tenant's objects unreadable once its data key is destroyed", async () => {
    const kept = await vault.write(tenantId, plaintext);
    await vault.destroyTenantKey(tenantId);
    expect(await store.get(blobKeyOf(tenantId, kept))).not.toBeNull();
    await expect(vault.read(tenantId, kept)).rejects.toThrow(DataKeyDestroyedError);
  });
});
