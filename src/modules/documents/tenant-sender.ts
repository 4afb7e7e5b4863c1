import type { Tx } from '../../platform/db/client.js';
import { AppError } from '../../platform/errors.js';
import { readOwnTenant } from '../tenants/tenants.service.js';
import type { TenantSender } from './access.mails.js';

/** The tenant of `tx` (row-level security shows only it) as the sender of its visitors' mails. */
export async function tenantSender(tx: Tx, publicUrl: string): Promise<TenantSender> {
  const tenant = await readOwnTenant(tx);
  if (!tenant) throw new AppError('tenant.not_found');
  return {
    name: tenant.name,
    siteUrl: tenant.customDomain ? `https://${tenant.customDomain}` : `${publicUrl}/t/${tenant.slug}`,
  };
}
