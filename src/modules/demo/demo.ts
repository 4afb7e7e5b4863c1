import fs from 'node:fs';
import { systemContext } from '../../platform/auth/context.js';
import type { MembersService } from '../accounts/members.service.js';
import type { createTransferService } from '../content/transfer.service.js';
import { parseTrustCenterFile } from '../content/transfer.service.js';
import type { DocumentsService } from '../documents/documents.service.js';
import type { Tenant } from '../tenants/tenants.contract.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import type { PostsService } from '../updates/posts.service.js';
import { demoOverview, demoOverviewPdf } from './demo-documents.js';

export const DEMO_SLUG = 'demo';

/** The demo trust center: Attest describing itself, control by control. */
export function demoDocument() {
  return parseTrustCenterFile(fs.readFileSync(new URL('./demo-trust-center.yaml', import.meta.url), 'utf8'));
}

/** The demo's updates feed: what a trust center would post (no subscribers exist yet to notify). */
const demoUpdates = [
  {
    kind: 'certification' as const,
    title: 'Security controls mapped to ISO 27001:2022 and SOC 2',
    body: [
      'Every control on our [security page](security) now names the **ISO 27001:2022** Annex A',
      'and **SOC 2** criteria it supports. The mapping is a self-assessment: this demo holds no',
      'certificate or audit report of its own.',
    ].join('\n'),
  },
  {
    kind: 'subprocessor' as const,
    title: 'Subscribe to subprocessor changes',
    body: [
      'You can now [subscribe by e-mail](subscribe) or follow the RSS, Atom or JSON feed of this page.',
      '',
      '- New or replaced subprocessors are announced **at least 30 days** ahead.',
      '- Incident notices reach subscribers within 24 hours of detection.',
      '- Every mail has a one-click unsubscribe link.',
    ].join('\n'),
  },
];

/** What seeding the demo trust center uses of the services. */
export interface DemoServices {
  tenants: TenantsService;
  members: MembersService;
  transfer: ReturnType<typeof createTransferService>;
  documents: DocumentsService;
  posts: PostsService;
}

/**
 * On a first start with an empty database, creates and publishes the demo tenant. Returns it, or
 * null when the database already had tenants (nothing is touched then).
 */
export async function seedDemoIfEmpty(
  services: DemoServices,
  owner: { email: string; password: string },
): Promise<Tenant | null> {
  if (!(await services.tenants.isEmpty())) return null;
  const tenant = await services.tenants.create({ slug: DEMO_SLUG, name: 'Attest Demo' });
  const ctx = systemContext(tenant.id, 'demo-seed');
  await services.transfer.importDraft(ctx, demoDocument(), { publish: true });
  for (const post of demoUpdates)
    await services.posts.publish(ctx, (await services.posts.create(ctx, post)).id);
  await services.documents.create(
    ctx,
    {
      title: demoOverview.title,
      description: demoOverview.description,
      category: 'other',
      accessLevel: 'public',
    },
    { filename: demoOverview.filename, data: await demoOverviewPdf() },
  );
  await services.members.add(ctx, { email: owner.email, role: 'owner', password: owner.password });
  return tenant;
}
