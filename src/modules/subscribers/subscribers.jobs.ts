import { eq } from 'drizzle-orm';
import type { SealedColumn } from '../../platform/crypto/rewrap.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { listKeyPurpose } from './notification-settings.service.js';
import { notificationSettings } from './subscribers.schema.js';

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
