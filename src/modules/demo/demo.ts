import fs from 'node:fs';
import { systemContext } from '../../platform/auth/context.js';
import type { Services } from '../../services.js';
import { parseTrustCenterFile } from '../content/transfer.service.js';
import type { Tenant } from '../tenants/tenants.contract.js';

export const DEMO_SLUG = 'demo';

/** The demo trust center: Attest describing itself, control by control. */
export function demoDocument() {
  return parseTrustCenterFile(fs.readFileSync(new URL('./demo-trust-center.yaml', import.meta.url), 'utf8'));
}

/**
 * On a first start with an empty database, creates and publishes the demo tenant. Returns it, or
 * null when the database already had tenants (nothing is touched then).
 */
export async function seedDemoIfEmpty(
  services: Services,
  owner: { email: string; password: string },
): Promise<Tenant | null> {
  if (!(await services.tenants.isEmpty())) return null;
  const tenant = await services.tenants.create({ slug: DEMO_SLUG, name: 'Attest Demo' });
  const ctx = systemContext(tenant.id, 'demo-seed');
  await services.transfer.importDraft(ctx, demoDocument(), { publish: true });
  await services.members.add(ctx, { email: owner.email, role: 'owner', password: owner.password });
  return tenant;
}
