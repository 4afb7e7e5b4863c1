import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { createMfaService } from '../../modules/accounts/mfa.service.js';
import { readListKey } from '../../modules/subscribers/notification-settings.service.js';
import { createTenantsService } from '../../modules/tenants/tenants.service.js';
import { activeTrustKey } from '../../modules/trust/trust-keys.js';
import { createServices, sealedColumns } from '../../services.js';
import { systemContext } from '../auth/context.js';
import { createTokenService } from '../auth/jwt.js';
import type { Database } from '../db/client.js';
import { withTenant } from '../db/tenancy.js';
import { createBlobVault } from '../storage/blob-vault.js';
import { createLocalBlobStore } from '../storage/local-blob-store.js';
import { rewrapSealedValues } from './rewrap.js';
import { Sealer } from './sealing.js';

describe.each(testDatabaseKinds)('master key rotation on $name', (kind) => {
  let db: Database;
  let dir: string;
  const clock = () => new Date();
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const plaintext = Buffer.from('CONFIDENTIAL audit report');
  let tenantId = '';
  let userId = '';
  let totpSecret = '';
  let blobId = '';
  let listKey: Buffer;

  const vaultWith = (sealer: Sealer) =>
    createBlobVault({ db, store: createLocalBlobStore(dir), sealer, clock });

  beforeAll(async () => {
    db = await kind.create();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-rewrap-'));
    const old = new Sealer(oldKey);
    tenantId = (await createTenantsService({ db }).create({ slug: 'rotate', name: 'Rotate' })).id;
    await createTokenService({ db, sealer: old, issuer: 'http://127.0.0.1:3000', clock }).ensureKey();
    const services = createServices({ db, sealer: old });
    userId = (
      await services.members.add(systemContext(tenantId), {
        email: 'owner@rotate.example',
        role: 'owner',
        password: 'a long and unusual passphrase 4471',
      })
    ).userId;
    totpSecret = (await createMfaService({ db, clock, sealer: old }).setup(userId, 'Attest')).secret;
    blobId = await vaultWith(old).write(tenantId, plaintext);
    listKey = await withTenant(db, tenantId, (tx) => readListKey(tx, tenantId, old));
    await services.trust.rotateKey(systemContext(tenantId));
  });
  afterAll(async () => {
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps working during the rotation, re-seals every kind of sealed value once, and then needs only the new key', async () => {
    const newOnly = new Sealer(newKey);
    const rotating = new Sealer(newKey, [oldKey]);
    // Before: the new key alone opens nothing; with the old one beside it, everything opens.
    await expect(vaultWith(newOnly).read(tenantId, blobId)).rejects.toThrow();
    expect(await vaultWith(rotating).read(tenantId, blobId)).toEqual(plaintext);

    // The dry run counts what still needs the old key and changes nothing.
    const pending = { signingKeys: 1, totpSecrets: 1, tenantDataKeys: 1, listKeys: 1, trustSigningKeys: 1 };
    expect(await rewrapSealedValues(db, rotating, sealedColumns(db), { dryRun: true })).toEqual(pending);
    expect(await rewrapSealedValues(db, rotating, sealedColumns(db), { dryRun: true })).toEqual(pending);
    await expect(vaultWith(newOnly).read(tenantId, blobId)).rejects.toThrow();

    expect(await rewrapSealedValues(db, rotating, sealedColumns(db))).toEqual({
      signingKeys: 1,
      totpSecrets: 1,
      tenantDataKeys: 1,
      listKeys: 1,
      trustSigningKeys: 1,
    });
    expect(await rewrapSealedValues(db, rotating, sealedColumns(db))).toEqual({
      signingKeys: 0,
      totpSecrets: 0,
      tenantDataKeys: 0,
      listKeys: 0,
      trustSigningKeys: 0,
    });
    expect(await rewrapSealedValues(db, rotating, sealedColumns(db), { dryRun: true })).toEqual({
      signingKeys: 0,
      totpSecrets: 0,
      tenantDataKeys: 0,
      listKeys: 0,
      trustSigningKeys: 0,
    });

    // After: the new key alone opens the documents, signs tokens, checks TOTP codes and unsubscribe links.
    expect(await vaultWith(newOnly).read(tenantId, blobId)).toEqual(plaintext);
    const tokens = createTokenService({ db, sealer: newOnly, issuer: 'http://127.0.0.1:3000', clock });
    await tokens.ensureKey();
    const token = await tokens.mint({ subject: userId, tenantId, permissions: [], sessionId: 's1' });
    expect((await tokens.verify(token)).subject).toBe(userId);
    const code = new TOTP({ secret: totpSecret }).generate();
    const enabled = await createMfaService({ db, clock, sealer: newOnly }).enable(userId, tenantId, code);
    expect(enabled.recoveryCodes).toHaveLength(10);
    expect(await withTenant(db, tenantId, (tx) => readListKey(tx, tenantId, newOnly))).toEqual(listKey);
    const trustKey = await withTenant(db, tenantId, (tx) =>
      activeTrustKey(tx, tenantId, { sealer: newOnly, clock }),
    );
    expect(trustKey.privateKey.asymmetricKeyType).toBe('ed25519');
    // And the old key alone no longer opens anything.
    await expect(vaultWith(new Sealer(oldKey)).read(tenantId, blobId)).rejects.toThrow();
  });

  it('stops at a value that no configured key opens, and says so', async () => {
    const stranger = new Sealer(randomBytes(32));
    await expect(rewrapSealedValues(db, stranger, sealedColumns(db))).rejects.toThrow(
      /failed authentication/,
    );
  });
});
