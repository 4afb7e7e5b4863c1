import { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import { AppError } from '../../platform/errors.js';
import { defineRoute } from '../../platform/http/api-route.js';
import type { createTransferService } from '../content/transfer.service.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import {
  type DraftChange,
  draftChangesResponse,
  draftPreviewResponse,
  type PreviewPage,
  previewPages,
} from './publishing.contract.js';
import { type PublishingService, toSnapshotContent } from './publishing.service.js';
import type { Snapshot, SnapshotContent } from './snapshot.contract.js';

/*
 * What the admin console shows before a publish: the list of what the draft changes against the
 * latest snapshot, and the draft rendered by the public site's own renderers (so the preview is
 * exactly the page visitors will get). Both compare or render what toSnapshotContent keeps, so a
 * draft-only field (a review interval) is neither a change nor visible.
 */

/**
 * Renders a draft as one public page. The public site's own renderers, handed in by the app (a
 * module does not import the public site), so the preview is exactly the page visitors will get.
 */
export type { PreviewPage };

export type RenderPreview = (page: PreviewPage, view: { snapshot: Snapshot; basePath: string }) => string;

const profileLabels: Record<keyof SnapshotContent['profile'], string> = {
  companyName: 'Company name',
  tagline: 'Tagline',
  intro: 'Introduction',
  securityContact: 'Security contact',
};

/** JSON with sorted keys: a snapshot comes back from jsonb with its keys in another order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([left], [right]) => (left < right ? -1 : 1)))
      : item,
  );
}

interface Keyed {
  key: string;
}

/** Position among the keys both lists share: adding or removing one item does not "move" the others. */
function sharedOrder(items: readonly Keyed[], shared: ReadonlySet<string>): Map<string, number> {
  return new Map(items.filter((item) => shared.has(item.key)).map((item, index) => [item.key, index]));
}

function compareLists<Item extends Keyed>(
  section: DraftChange['section'],
  draft: readonly Item[],
  published: readonly Item[],
  title: (item: Item) => string,
  comparable: (item: Item) => unknown = (item) => item,
): DraftChange[] {
  const before = new Map(published.map((item) => [item.key, item]));
  const after = new Set(draft.map((item) => item.key));
  const shared = new Set(draft.map((item) => item.key).filter((key) => before.has(key)));
  const draftOrder = sharedOrder(draft, shared);
  const publishedOrder = sharedOrder(published, shared);
  const changes: DraftChange[] = [];
  for (const item of draft) {
    const old = before.get(item.key);
    if (!old) {
      changes.push({ kind: 'added', section, key: item.key, title: title(item) });
    } else if (
      canonical(comparable(item)) !== canonical(comparable(old)) ||
      draftOrder.get(item.key) !== publishedOrder.get(item.key)
    ) {
      changes.push({ kind: 'changed', section, key: item.key, title: title(item) });
    }
  }
  for (const item of published) {
    if (!after.has(item.key)) changes.push({ kind: 'removed', section, key: item.key, title: title(item) });
  }
  return changes;
}

/** The differences between two snapshot contents; an empty list means publishing would change nothing. */
export function diffSnapshotContent(
  draft: SnapshotContent,
  published: SnapshotContent | null,
): DraftChange[] {
  const empty: SnapshotContent = {
    schemaVersion: 1,
    tenant: draft.tenant,
    profile: { companyName: '', tagline: '', intro: '', securityContact: '' },
    categories: [],
    faq: [],
    subprocessors: [],
  };
  const before = published ?? empty;
  const profile = (Object.keys(profileLabels) as (keyof SnapshotContent['profile'])[])
    .filter((field) => draft.profile[field] !== before.profile[field])
    .map(
      (field): DraftChange => ({
        kind: 'changed',
        section: 'profile',
        key: field,
        title: profileLabels[field],
      }),
    );
  const controlsOf = (content: SnapshotContent) =>
    content.categories.flatMap((category) =>
      category.controls.map((control) => ({ ...control, categoryKey: category.key })),
    );
  return [
    ...profile,
    ...compareLists(
      'category',
      draft.categories,
      before.categories,
      (category) => category.name,
      ({ controls: _controls, ...category }) => category,
    ),
    ...compareLists('control', controlsOf(draft), controlsOf(before), (control) => control.title),
    ...compareLists('faq', draft.faq, before.faq, (entry) => entry.question),
    ...compareLists('subprocessor', draft.subprocessors, before.subprocessors, (entry) => entry.name),
  ];
}

export interface DraftServices {
  tenants: TenantsService;
  transfer: ReturnType<typeof createTransferService>;
  publishing: PublishingService;
}

/** The draft as a snapshot would hold it, and the latest published snapshot (null before the first). */
async function draftAndLatest(services: DraftServices, ctx: ServiceContext) {
  ctx.require('content:read');
  const [tenant, draft, history] = await Promise.all([
    services.tenants.findById(ctx.tenantId),
    services.transfer.exportDraft(ctx),
    services.publishing.history(ctx),
  ]);
  if (!tenant) throw new AppError('tenant.not_found');
  const latestVersion = history[0]?.version ?? null;
  const latest = latestVersion === null ? null : await services.publishing.snapshot(ctx, latestVersion);
  return { tenant, content: toSnapshotContent(tenant, draft), latest };
}

/** GET /draft/changes and GET /draft/preview, for the admin console's publish and preview screens. */
export function draftRoutes(services: DraftServices, renderPreview: RenderPreview) {
  return [
    defineRoute({
      method: 'GET',
      url: '/draft/changes',
      summary: 'What changed in the draft since the latest published snapshot',
      tag: 'Publishing',
      permission: 'content:read',
      response: draftChangesResponse,
      handler: async ({ ctx }) => {
        const { content, latest } = await draftAndLatest(services, ctx);
        return {
          publishedVersion: latest?.version ?? null,
          changes: diffSnapshotContent(content, latest?.content ?? null),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/draft/preview',
      summary: 'The draft rendered as a public page (HTML in JSON), exactly as it would be published',
      tag: 'Publishing',
      permission: 'content:read',
      query: z.object({ page: z.enum(previewPages).default('security') }),
      response: draftPreviewResponse,
      handler: async ({ ctx, query }) => {
        const { tenant, content, latest } = await draftAndLatest(services, ctx);
        const html = renderPreview(query.page, {
          snapshot: {
            version: (latest?.version ?? 0) + 1,
            publishedAt: new Date(),
            contentSha256: '',
            content,
          },
          basePath: `/t/${tenant.slug}`,
        });
        return { page: query.page, html };
      },
    }),
  ];
}
