import fs from 'node:fs';
import { systemContext } from '../../platform/auth/context.js';
import type { Database } from '../../platform/db/client.js';
import { inOneTransaction } from '../../platform/db/one-transaction.js';
import type { MembersService } from '../accounts/members.service.js';
import { assertAcceptablePassword } from '../accounts/users.service.js';
import { type createTransferService, parseTrustCenterFile } from '../content/transfer.service.js';
import type { DocumentsService } from '../documents/documents.service.js';
import type { PublishingService } from '../publishing/publishing.service.js';
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

/** The actor of everything the seed writes, in the demo's audit log. */
const DEMO_SEED_ACTOR = 'demo-seed';

export interface DemoOwner {
  email: string;
  password: string;
}

/** Refuses an owner the demo could not be given (a weak password), before anything exists. */
export function assertDemoOwner(owner: DemoOwner): void {
  assertAcceptablePassword(owner.password, { email: owner.email });
}

/** What seeding the demo trust center uses of the services. */
export interface DemoServices {
  tenants: TenantsService;
  members: MembersService;
  transfer: ReturnType<typeof createTransferService>;
  documents: DocumentsService;
  posts: PostsService;
}

export interface DemoSeedDeps {
  /** The app's services: they read what exists. */
  services: Pick<DemoServices, 'tenants' | 'members'> & { publishing: PublishingService };
  db: Database;
  /** Services on another database handle: the seed builds them on its one transaction. */
  servicesOn(db: Database): DemoServices;
}

export type DemoSeedResult = { tenant: Tenant; created: boolean } | null;

/**
 * On a first start with an empty database, creates and publishes the demo tenant with its owner,
 * all in one transaction: a failure (a weak password, a full disk) leaves no tenant, user or row
 * behind, and the next start tries again. The document is written last, so a failure before it
 * leaves no file either. A demo that an earlier version left without an owner (it created the
 * tenant first and failed on the owner's password) gets its owner now; that is sound because
 * nobody could ever sign in to it, and the operator starting Attest is who the owner is for.
 * Returns null when there is nothing to do.
 */
export async function seedDemo(deps: DemoSeedDeps, owner: DemoOwner): Promise<DemoSeedResult> {
  assertDemoOwner(owner);
  if (!(await deps.services.tenants.isEmpty())) {
    const ownerless = await ownerlessDemo(deps.services);
    if (!ownerless) return null;
    await deps.services.members.add(systemContext(ownerless.id, DEMO_SEED_ACTOR), {
      email: owner.email,
      role: 'owner',
      password: owner.password,
    });
    return { tenant: ownerless, created: false };
  }
  const tenant = await inOneTransaction(deps.db, async (db) => {
    const services = deps.servicesOn(db);
    const created = await services.tenants.create({ slug: DEMO_SLUG, name: 'Attest Demo' });
    const ctx = systemContext(created.id, DEMO_SEED_ACTOR);
    await services.members.add(ctx, { email: owner.email, role: 'owner', password: owner.password });
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
    return created;
  });
  return { tenant, created: true };
}

/** The demo tenant, if the seed published it and it has no member at all. */
async function ownerlessDemo(services: DemoSeedDeps['services']): Promise<Tenant | null> {
  const tenant = await services.tenants.findBySlug(DEMO_SLUG);
  if (!tenant) return null;
  const ctx = systemContext(tenant.id, DEMO_SEED_ACTOR);
  if ((await services.members.list(ctx)).length > 0) return null;
  const history = await services.publishing.history(ctx);
  return history.some((snapshot) => snapshot.publishedBy === `system:${DEMO_SEED_ACTOR}`) ? tenant : null;
}
