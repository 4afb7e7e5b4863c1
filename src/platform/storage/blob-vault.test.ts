import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { filesUnder } from '../../../test/support/documents.js';
import { createTenantsService } from '../../modules/tenants/tenants.service.js';
import { Sealer } from '../crypto/sealing.js';
import { tenantKeys } from '../crypto/tenant-keys.schema.js';
import type { Database } from '../db/client.js';
import { withTenant } from '../db/tenancy.js';
import { blobKeyOf } from './blob-store.js';
import { BlobIntegrityError, type BlobVault, createBlobVault, DataKeyDestroyedError } from './blob-vault.js';
import { createLocalBlobStore } from './local-blob-store.js';

describe.each(testDatabaseKinds)('encrypted blobs on $name', (kind) => {
  let db: Database;
  let dir: string;
  let vault: BlobVault;
  let tenantA = '';
  let tenantB = '';
  const plaintext = Buffer.from('CONFIDENTIAL pentest finding: the admin password is hunter2. '.repeat(20));

  beforeAll(async () => {
    db = await kind.create();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-vault-'));
    vault = createBlobVault({
      db,
      store: createLocalBlobStore(dir),
      sealer: new Sealer(randomBytes(32)),
      clock: () => new Date(),
    });
    const tenants = createTenantsService({ db });
    tenantA = (await tenants.create({ slug: 'vault-a', name: 'Vault A' })).id;
    tenantB = (await tenants.create({ slug: 'vault-b', name: 'Vault B' })).id;
  });
  afterAll(async () => {
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const fileOf = (tenantId: string, blobId: string) =>
    path.join(dir, ...blobKeyOf(tenantId, blobId).split('/'));

  it('writes only ciphertext to disk, owner-readable, with no temporary file left, and reads it back', async () => {
    const blobId = await vault.write(tenantA, plaintext);
    const onDisk = fs.readFileSync(fileOf(tenantA, blobId));
    expect(onDisk.includes(Buffer.from('CONFIDENTIAL'))).toBe(false);
    expect(onDisk.includes(Buffer.from('hunter2'))).toBe(false);
    expect(onDisk.length).toBe(plaintext.length + 4 + 16 + 12 + 16);
    expect(fs.statSync(fileOf(tenantA, blobId)).mode & 0o777).toBe(0o600);
    expect(filesUnder(dir).filter((file) => file.endsWith('.tmp'))).toEqual([]);
    expect(await vault.read(tenantA, blobId)).toEqual(plaintext);
    // The same plaintext twice gives different bytes (a fresh nonce every time).
    const again = await vault.write(tenantA, plaintext);
    expect(fs.readFileSync(fileOf(tenantA, again)).equals(onDisk)).toBe(false);
  });

  it('keeps one data key per tenant, stored only sealed', async () => {
    await vault.write(tenantB, Buffer.from('b'));
    const keys = await db.orm.select().from(tenantKeys);
    expect(keys.map((key) => key.tenantId).sort()).toEqual([tenantA, tenantB].sort());
    for (const key of keys) expect(key.sealedKey).toMatch(/^v1\./);
    const visibleToA = await withTenant(db, tenantA, (tx) => tx.select().from(tenantKeys));
    expect(visibleToA.map((key) => key.tenantId)).toEqual([tenantA]);
  });

  it('refuses a tampered blob, a truncated one and one moved to another id or tenant, with a clear error', async () => {
    const blobId = await vault.write(tenantA, plaintext);
    const file = fileOf(tenantA, blobId);
    const original = fs.readFileSync(file);

    const flipped = Buffer.from(original);
    flipped[60] = (flipped[60] ?? 0) ^ 0x01;
    fs.writeFileSync(file, flipped);
    await expect(vault.read(tenantA, blobId)).rejects.toThrow(BlobIntegrityError);
    await expect(vault.read(tenantA, blobId)).rejects.toThrow(/failed authentication: it was changed/);

    fs.writeFileSync(file, original.subarray(0, 20));
    await expect(vault.read(tenantA, blobId)).rejects.toThrow(/not an Attest blob/);

    fs.writeFileSync(file, original);
    const otherId = await vault.write(tenantA, Buffer.from('other'));
    fs.copyFileSync(file, fileOf(tenantA, otherId));
    await expect(vault.read(tenantA, otherId)).rejects.toThrow(BlobIntegrityError);

    const ofB = await vault.write(tenantB, Buffer.from('b'));
    fs.copyFileSync(file, fileOf(tenantB, ofB));
    await expect(vault.read(tenantB, ofB)).rejects.toThrow(DataKeyDestroyedError);
    expect(await vault.read(tenantA, blobId)).toEqual(plaintext);
  });

  it('deletes a blob, and makes every blob of a tenant unreadable when its data key is destroyed', async () => {
    const gone = await vault.write(tenantB, Buffer.from('to be deleted'));
    await vault.remove(tenantB, gone);
    expect(fs.existsSync(fileOf(tenantB, gone))).toBe(false);
    await vault.remove(tenantB, gone); // idempotent

    const kept = await vault.write(tenantA, plaintext);
    expect(await vault.destroyTenantKey(tenantA)).toBe(1);
    expect(fs.existsSync(fileOf(tenantA, kept))).toBe(true);
    await expect(vault.read(tenantA, kept)).rejects.toThrow(DataKeyDestroyedError);
    // A new key for new blobs does not open the old ones.
    const fresh = await vault.write(tenantA, Buffer.from('new'));
    expect(await vault.read(tenantA, fresh)).toEqual(Buffer.from('new'));
    await expect(vault.read(tenantA, kept)).rejects.toThrow(DataKeyDestroyedError);
  });
});
