import { and, eq, isNotNull } from 'drizzle-orm';
import { users } from '../../modules/accounts/accounts.schema.js';
import { totpPurpose } from '../../modules/accounts/mfa.service.js';
import { listKeyPurpose } from '../../modules/subscribers/notification-settings.service.js';
import { notificationSettings } from '../../modules/subscribers/subscribers.schema.js';
import { tenants } from '../../modules/tenants/tenants.schema.js';
import { signingKeyPurpose } from '../auth/jwt.js';
import { signingKeys } from '../auth/signing-keys.schema.js';
import type { Database } from '../db/client.js';
import { withPlatform, withTenant } from '../db/tenancy.js';
import { purposeOf as dataKeyPurpose } from '../storage/blob-vault.js';
import type { Sealer } from './sealing.js';
import { tenantKeys } from './tenant-keys.schema.js';

export interface RewrapReport {
  signingKeys: number;
  totpSecrets: number;
  tenantDataKeys: number;
  listKeys: number;
}

/**
 * Re-seals, under the current master key, every sealed value that still opens only with a
 * previous one: JWT signing keys, TOTP secrets, tenants' data keys, unsubscribe-link keys. Each
 * value is rewritten in its own small transaction and only if it has not changed meanwhile, so
 * the command can run beside live processes (which hold both keys during the rotation), be
 * interrupted, and be run again: what is done stays done. A value no key opens stops it with an
 * error (nothing is lost: that value was already unreadable). Counts are of rows actually
 * rewritten. With `dryRun`, nothing is written and the counts are of values that still need a
 * previous key: the check that a rotation is complete.
 */
export async function rewrapSealedValues(
  db: Database,
  sealer: Sealer,
  { dryRun = false }: { dryRun?: boolean } = {},
): Promise<RewrapReport> {
  const report: RewrapReport = { signingKeys: 0, totpSecrets: 0, tenantDataKeys: 0, listKeys: 0 };

  const keys = await withPlatform(db, (tx) =>
    tx.select({ kid: signingKeys.kid, sealed: signingKeys.privateKeySealed }).from(signingKeys),
  );
  for (const key of keys) {
    const resealed = sealer.rewrap(key.sealed, signingKeyPurpose(key.kid));
    if (!resealed) continue;
    if (dryRun) {
      report.signingKeys += 1;
      continue;
    }
    const updated = await withPlatform(db, (tx) =>
      tx
        .update(signingKeys)
        .set({ privateKeySealed: resealed })
        .where(and(eq(signingKeys.kid, key.kid), eq(signingKeys.privateKeySealed, key.sealed)))
        .returning({ kid: signingKeys.kid }),
    );
    report.signingKeys += updated.length;
  }

  const secrets = await withPlatform(db, (tx) =>
    tx
      .select({ id: users.id, sealed: users.totpSecretSealed })
      .from(users)
      .where(isNotNull(users.totpSecretSealed)),
  );
  for (const { id, sealed } of secrets) {
    if (!sealed) continue;
    const resealed = sealer.rewrap(sealed, totpPurpose(id));
    if (!resealed) continue;
    if (dryRun) {
      report.totpSecrets += 1;
      continue;
    }
    const updated = await withPlatform(db, (tx) =>
      tx
        .update(users)
        .set({ totpSecretSealed: resealed })
        .where(and(eq(users.id, id), eq(users.totpSecretSealed, sealed)))
        .returning({ id: users.id }),
    );
    report.totpSecrets += updated.length;
  }

  const dataKeys = await withPlatform(db, (tx) =>
    tx
      .select({ id: tenantKeys.id, tenantId: tenantKeys.tenantId, sealed: tenantKeys.sealedKey })
      .from(tenantKeys),
  );
  for (const key of dataKeys) {
    const resealed = sealer.rewrap(key.sealed, dataKeyPurpose(key.tenantId, key.id));
    if (!resealed) continue;
    if (dryRun) {
      report.tenantDataKeys += 1;
      continue;
    }
    const updated = await withPlatform(db, (tx) =>
      tx
        .update(tenantKeys)
        .set({ sealedKey: resealed })
        .where(and(eq(tenantKeys.id, key.id), eq(tenantKeys.sealedKey, key.sealed)))
        .returning({ id: tenantKeys.id }),
    );
    report.tenantDataKeys += updated.length;
  }

  // Notification settings are tenant data: read and rewritten under each tenant's own policy.
  const tenantIds = await withPlatform(db, (tx) => tx.select({ id: tenants.id }).from(tenants));
  for (const { id: tenantId } of tenantIds) {
    report.listKeys += await withTenant(db, tenantId, async (tx) => {
      const [row] = await tx
        .select({ sealed: notificationSettings.listKeySealed })
        .from(notificationSettings);
      const resealed = row ? sealer.rewrap(row.sealed, listKeyPurpose(tenantId)) : null;
      if (!row || !resealed) return 0;
      if (dryRun) return 1;
      const updated = await tx
        .update(notificationSettings)
        .set({ listKeySealed: resealed })
        .where(eq(notificationSettings.listKeySealed, row.sealed))
        .returning({ tenantId: notificationSettings.tenantId });
      return updated.length;
    });
  }
  return report;
}
