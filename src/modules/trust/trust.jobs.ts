import { and, eq } from 'drizzle-orm';
import type { SealedColumn } from '../../platform/crypto/rewrap.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { trustSigningKeys } from './trust.schema.js';
import { trustKeyPurpose } from './trust-keys.js';

/**
 * Tenants' trust-manifest signing keys, for the master key rotation: read and rewritten under each
 * tenant's own policy, for the tenants the caller lists (the tenants module owns that list).
 */
export function trustKeysSealed(tenantIds: () => Promise<readonly string[]>): SealedColumn {
  return {
    name: 'trustSigningKeys',
    async rewrap(db, sealer, dryRun) {
      let count = 0;
      for (const tenantId of await tenantIds()) {
        count += await withTenant(db, tenantId, async (tx) => {
          const rows = await tx
            .select({ kid: trustSigningKeys.kid, sealed: trustSigningKeys.privateKeySealed })
            .from(trustSigningKeys);
          let rewritten = 0;
          for (const row of rows) {
            const resealed = sealer.rewrap(row.sealed, trustKeyPurpose(tenantId, row.kid));
            if (!resealed) continue;
            if (dryRun) {
              rewritten += 1;
              continue;
            }
            const updated = await tx
              .update(trustSigningKeys)
              .set({ privateKeySealed: resealed })
              .where(
                and(eq(trustSigningKeys.kid, row.kid), eq(trustSigningKeys.privateKeySealed, row.sealed)),
              )
              .returning({ kid: trustSigningKeys.kid });
            rewritten += updated.length;
          }
          return rewritten;
        });
      }
      return count;
    },
  };
}
