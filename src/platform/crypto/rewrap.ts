import { and, eq } from 'drizzle-orm';
import { signingKeyPurpose } from '../auth/jwt.js';
import { signingKeys } from '../auth/signing-keys.schema.js';
import type { Database } from '../db/client.js';
import { withPlatform } from '../db/tenancy.js';
import { purposeOf as dataKeyPurpose } from '../storage/blob-vault.js';
import type { Sealer } from './sealing.js';
import { tenantKeys } from './tenant-keys.schema.js';

/**
 * One kind of sealed value at rest. The code that owns the column declares it (platform: signing
 * keys and tenants' data keys; modules: their own, in their *.jobs.ts), and the composition root
 * lists them all for `attest master-key rewrap`, so this file imports no module.
 */
export interface SealedColumn {
  /** Its key in the report, e.g. 'totpSecrets'. */
  readonly name: string;
  /**
   * Re-seals, under the current master key, each value that still opens only with a previous one,
   * each in its own small transaction and only if it has not changed meanwhile; returns how many
   * rows were rewritten. With `dryRun`, writes nothing and counts the values that need it.
   */
  rewrap(db: Database, sealer: Sealer, dryRun: boolean): Promise<number>;
}

export type RewrapReport = Record<string, number>;

/**
 * Re-seals every sealed value of the given kinds that still opens only with a previous master
 * key. The command can run beside live processes (which hold both keys during the rotation), be
 * interrupted, and be run again: what is done stays done. A value no key opens stops it with an
 * error (nothing is lost: that value was already unreadable). Counts are of rows actually
 * rewritten. With `dryRun`, nothing is written and the counts are of values that still need a
 * previous key: the check that a rotation is complete.
 */
export async function rewrapSealedValues(
  db: Database,
  sealer: Sealer,
  columns: readonly SealedColumn[],
  { dryRun = false }: { dryRun?: boolean } = {},
): Promise<RewrapReport> {
  const report: RewrapReport = {};
  for (const column of columns) report[column.name] = await column.rewrap(db, sealer, dryRun);
  return report;
}

/** JWT signing keys (platform/auth). */
export const signingKeysSealed: SealedColumn = {
  name: 'signingKeys',
  async rewrap(db, sealer, dryRun) {
    const keys = await withPlatform(db, (tx) =>
      tx.select({ kid: signingKeys.kid, sealed: signingKeys.privateKeySealed }).from(signingKeys),
    );
    let count = 0;
    for (const key of keys) {
      const resealed = sealer.rewrap(key.sealed, signingKeyPurpose(key.kid));
      if (!resealed) continue;
      if (dryRun) {
        count += 1;
        continue;
      }
      const updated = await withPlatform(db, (tx) =>
        tx
          .update(signingKeys)
          .set({ privateKeySealed: resealed })
          .where(and(eq(signingKeys.kid, key.kid), eq(signingKeys.privateKeySealed, key.sealed)))
          .returning({ kid: signingKeys.kid }),
      );
      count += updated.length;
    }
    return count;
  },
};

/** Tenants' blob data keys (platform/storage). */
export const tenantDataKeysSealed: SealedColumn = {
  name: 'tenantDataKeys',
  async rewrap(db, sealer, dryRun) {
    const dataKeys = await withPlatform(db, (tx) =>
      tx
        .select({ id: tenantKeys.id, tenantId: tenantKeys.tenantId, sealed: tenantKeys.sealedKey })
        .from(tenantKeys),
    );
    let count = 0;
    for (const key of dataKeys) {
      const resealed = sealer.rewrap(key.sealed, dataKeyPurpose(key.tenantId, key.id));
      if (!resealed) continue;
      if (dryRun) {
        count += 1;
        continue;
      }
      const updated = await withPlatform(db, (tx) =>
        tx
          .update(tenantKeys)
          .set({ sealedKey: resealed })
          .where(and(eq(tenantKeys.id, key.id), eq(tenantKeys.sealedKey, key.sealed)))
          .returning({ id: tenantKeys.id }),
      );
      count += updated.length;
    }
    return count;
  },
};
