import type { Tx } from '../../platform/db/client.js';
import { AppError } from '../../platform/errors.js';
import { tenants } from '../tenants/tenants.schema.js';
import type { TenantSender } from './access.mails.js';

/** The tenant of `tx` (row-level security shows only it) as the sender of its visitors' mails. */
export async function tenantSender(tx: Tx, publicUrl: string): Promise<TenantSender> {
  const [tenant] = await tx
    .select({ name: tenants.name, slug: tenants.slug, customDomain: tenants.customDomain })
    .from(tenants)
    .limit(1);
  if (!tenant) throw new AppError('tenant.not_found');
  return {
    name: tenant.name,
    siteUrl: tenant.customDomain ? `https://${tenant.customDomain}` : `${publicUrl}/t/${tenant.slug}`,
  };
}
