import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type App, createApp } from '../../src/app.js';
import { systemContext } from '../../src/platform/auth/context.js';
import { builtInRoles } from '../../src/platform/auth/roles.js';
import type { Clock } from '../../src/platform/clock.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import { createLocalBlobStore } from '../../src/platform/storage/local-blob-store.js';
import type { TestDatabaseKind } from './databases.js';
import { sampleDocument } from './fixtures.js';
import { checkResponseContracts } from './response-contracts.js';

export const PUBLIC_URL = 'http://127.0.0.1:3000';

/** An app with its own blob directory (to inspect), optional SMTP and a clock the test moves. */
export async function documentsApp(
  kind: TestDatabaseKind,
  options: { smtpUrl?: string; clock?: Clock; maxUploadBytes?: number } = {},
) {
  const db = await kind.create();
  const blobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-documents-'));
  const sealer = new Sealer(randomBytes(32));
  const app: App = await createApp({
    db,
    sealer,
    blobs: createLocalBlobStore(blobDir),
    publicCacheMs: 0,
    publicUrl: PUBLIC_URL,
    smtpUrl: options.smtpUrl,
    mailFrom: 'no-reply@attest.example',
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.maxUploadBytes ? { maxUploadBytes: options.maxUploadBytes } : {}),
  });
  checkResponseContracts(app);
  return {
    app,
    blobDir,
    sealer,
    async close() {
      await app.close();
      fs.rmSync(blobDir, { recursive: true, force: true });
    },
  };
}

/** A published tenant and an owner token for it. */
export async function publishedTenant(app: App, slug: string) {
  const tenant = await app.services.tenants.create({ slug, name: `${slug.toUpperCase()} Ltd` });
  const system = systemContext(tenant.id, 'test');
  await app.services.transfer.importDraft(system, sampleDocument(slug.toUpperCase()), { publish: true });
  const ownerId = randomUUID();
  const token = await app.tokens.mint({
    subject: ownerId,
    tenantId: tenant.id,
    permissions: [...builtInRoles.owner.permissions],
  });
  return {
    tenant,
    system,
    token,
    authorization: `Bearer ${token}`,
    /** A fresh owner token (after the test moved its clock past the first one's expiry). */
    async freshAuthorization() {
      const fresh = await app.tokens.mint({
        subject: ownerId,
        tenantId: tenant.id,
        permissions: [...builtInRoles.owner.permissions],
      });
      return `Bearer ${fresh}`;
    },
  };
}
