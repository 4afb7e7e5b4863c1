import { and, eq, isNotNull, lt, or } from 'drizzle-orm';
import type { SealedColumn } from '../../platform/crypto/rewrap.js';
import type { Tx } from '../../platform/db/client.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { listKeyPurpose } from './notification-settings.service.js';
import { notificationSettings, subscribers } from './subscribers.schema.js';
import { CONFIRMATION_DAYS, unconfirmedBefore } from './subscribers.service.js';

/**
 * Tenants' unsubscribe-link keys, for the master key rotation. Notification settings are tenant
 * data: read and rewritten under each tenant's own policy, for the tenants the caller lists (the
 * tenants module owns that list).
 */
export function listKeysSealed(tenantIds: () => Promise<readonly string[]>): SealedColumn {
  return {
    name: 'listKeys',
    async rewrap(db, sealer, dryRun) {
      let count = 0;
      for (const tenantId of await tenantIds()) {
        count += await withTenant(db, tenantId, async (tx) => {
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
      return count;
    },
  };
}

/**
 * The tenants holding subscriptions to purge (platform role: ids and dates only): never
 * confirmed within CONFIRMATION_DAYS, or confirmed with an expired confirmation link still kept.
 * The worker purges them under each tenant's RLS.
 */
export async function tenantsWithStaleSubscriptions(tx: Tx, now: Date): Promise<{ tenantId: string }[]> {
  const cutoff = new Date(now.getTime() - CONFIRMATION_DAYS * 86_400_000);
  return tx
    .selectDistinct({ tenantId: subscribers.tenantId })
    .from(subscribers)
    .where(
      or(
        unconfirmedBefore(cutoff),
        and(isNotNull(subscribers.confirmedAt), lt(subscribers.confirmExpiresAt, now)),
      ),
    );
}
