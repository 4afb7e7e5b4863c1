import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Sealer } from '../crypto/sealing.js';
import { tenantKeys } from '../crypto/tenant-keys.schema.js';
import type { Database, Tx } from '../db/client.js';
import { withPlatform, withTenant } from '../db/tenancy.js';
import { type BlobStore, blobKeyOf } from './blob-store.js';

/*
 * Envelope encryption of blobs. Each tenant has a random 256-bit data key, stored only sealed by
 * the master key (tenant_keys). A blob is encrypted with AES-256-GCM under that key before it
 * reaches a store, with a random 96-bit nonce and the tenant id, blob id and key id bound as
 * additional data, so a blob copied to another tenant or another id does not open.
 *
 * Format: "ATB1" | key id (16 bytes) | nonce (12) | ciphertext | tag (16).
 */
const MAGIC = Buffer.from('ATB1', 'ascii');
const HEADER = MAGIC.length + 16 + 12;
const TAG = 16;

export class BlobIntegrityError extends Error {
  override name = 'BlobIntegrityError';
}

/** The tenant's data key was destroyed (crypto-shredding): the blob can never be read again. */
export class DataKeyDestroyedError extends Error {
  override name = 'DataKeyDestroyedError';
}

export class BlobMissingError extends Error {
  override name = 'BlobMissingError';
}

function uuidBytes(id: string): Buffer {
  return Buffer.from(id.replaceAll('-', ''), 'hex');
}

function uuidOf(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function additionalData(tenantId: string, blobId: string, keyId: string): Buffer {
  return Buffer.from(`attest-blob:v1:${tenantId}:${blobId}:${keyId}`, 'utf8');
}

export const purposeOf = (tenantId: string, keyId: string) => `tenant-data-key:${tenantId}:${keyId}`;

export function createBlobVault({
  db,
  store,
  sealer,
  clock,
}: {
  db: Database;
  store: BlobStore;
  sealer: Sealer;
  clock: Clock;
}) {
  /** The tenant's data key, created on first use. Runs as attest_app inside the tenant's own RLS. */
  async function currentKey(tx: Tx, tenantId: string): Promise<{ id: string; key: Buffer }> {
    const [existing] = await tx.select().from(tenantKeys).limit(1);
    if (existing)
      return { id: existing.id, key: sealer.open(existing.sealedKey, purposeOf(tenantId, existing.id)) };
    const id = randomUUID();
    const key = randomBytes(32);
    const inserted = await tx
      .insert(tenantKeys)
      .values({ id, tenantId, sealedKey: sealer.seal(key, purposeOf(tenantId, id)), createdAt: clock() })
      .onConflictDoNothing()
      .returning({ id: tenantKeys.id });
    if (inserted.length) return { id, key };
    // Another transaction created it first.
    const [winner] = await tx.select().from(tenantKeys).limit(1);
    if (!winner) throw new Error('tenant data key vanished');
    return { id: winner.id, key: sealer.open(winner.sealedKey, purposeOf(tenantId, winner.id)) };
  }

  async function keyById(tenantId: string, keyId: string): Promise<Buffer | null> {
    const [row] = await withTenant(db, tenantId, (tx) =>
      tx.select().from(tenantKeys).where(eq(tenantKeys.id, keyId)).limit(1),
    );
    return row ? sealer.open(row.sealedKey, purposeOf(tenantId, row.id)) : null;
  }

  /**
   * As `write`, inside the caller's tenant transaction (an import that creates the tenant and its
   * data key in one transaction). The blob is stored before the transaction commits: a caller
   * whose transaction fails removes it (or the orphan sweep does, an hour later).
   */
  async function writeIn(tx: Tx, tenantId: string, plaintext: Buffer): Promise<string> {
    return storeSealed(tenantId, await currentKey(tx, tenantId), plaintext);
  }

  async function storeSealed(
    tenantId: string,
    { id: keyId, key }: { id: string; key: Buffer },
    plaintext: Buffer,
  ): Promise<string> {
    const blobId = randomUUID();
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(additionalData(tenantId, blobId, keyId));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const sealed = Buffer.concat([MAGIC, uuidBytes(keyId), nonce, body, cipher.getAuthTag()]);
    await store.put(blobKeyOf(tenantId, blobId), sealed);
    return blobId;
  }

  return {
    driver: store.driver,

    /** Encrypts and stores `plaintext` as a new blob; returns its id. */
    async write(tenantId: string, plaintext: Buffer): Promise<string> {
      // The key in a short transaction, the store's write after it: no connection waits on the store.
      const key = await withTenant(db, tenantId, (tx) => currentKey(tx, tenantId));
      return storeSealed(tenantId, key, plaintext);
    },

    writeIn,

    /** The plaintext of a blob, after checking that it is exactly what was written. */
    async read(tenantId: string, blobId: string): Promise<Buffer> {
      const sealed = await store.get(blobKeyOf(tenantId, blobId));
      if (!sealed)
        throw new BlobMissingError(`blob ${blobId} of tenant ${tenantId} is missing from the store`);
      if (sealed.length < HEADER + TAG || !sealed.subarray(0, MAGIC.length).equals(MAGIC)) {
        throw new BlobIntegrityError(`blob ${blobId} is not an Attest blob (truncated or overwritten)`);
      }
      const keyId = uuidOf(sealed.subarray(MAGIC.length, MAGIC.length + 16));
      const key = await keyById(tenantId, keyId);
      if (!key) {
        throw new DataKeyDestroyedError(
          `the data key of blob ${blobId} does not exist: it was destroyed, or the blob is another tenant's`,
        );
      }
      const nonce = sealed.subarray(MAGIC.length + 16, HEADER);
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(additionalData(tenantId, blobId, keyId));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
      try {
        return Buffer.concat([
          decipher.update(sealed.subarray(HEADER, sealed.length - TAG)),
          decipher.final(),
        ]);
      } catch {
        throw new BlobIntegrityError(
          `blob ${blobId} failed authentication: it was changed, moved or belongs to another tenant`,
        );
      }
    },

    async remove(tenantId: string, blobId: string): Promise<void> {
      await store.delete(blobKeyOf(tenantId, blobId));
    },

    /**
     * Crypto-shredding: deletes the tenant's data key, so every blob written under it can never be
     * decrypted again, wherever copies of it (backups, replicas) may be. Platform work.
     */
    async destroyTenantKey(tenantId: string): Promise<number> {
      const removed = await withPlatform(db, (tx) =>
        tx.delete(tenantKeys).where(eq(tenantKeys.tenantId, tenantId)).returning({ id: tenantKeys.id }),
      );
      return removed.length;
    },
  };
}

export type BlobVault = ReturnType<typeof createBlobVault>;
