import { z } from 'zod';
import { type ApiRoute, defineRoute, pageOf, pageQuery } from '../../platform/http/api-route.js';
import { trustCenterDocument } from '../content/content.contract.js';
import { type DraftServices, draftRoutes, type RenderPreview } from './draft-changes.js';
import { snapshotSummaryResponse } from './publishing.contract.js';

/*
 * Publishing the draft as an immutable snapshot, the snapshot history, and trust center as code
 * (the whole draft out and back in as one document, like `attest content export/import`).
 */

export const publishResultResponse = z
  .object({ version: z.number().int().min(1), changed: z.boolean() })
  .meta({
    id: 'PublishResult',
    description: 'The latest version; changed is false when the draft equalled it and nothing was published.',
  });

export const importResultResponse = z.object({
  published: publishResultResponse.nullable().describe('null unless publish=true'),
});

const documentSchema = trustCenterDocument.meta({
  id: 'TrustCenterDocument',
  description: 'A whole trust center draft; the format of `attest content export/import`.',
});

const importQuery = z.object({
  publish: z.enum(['true', 'false']).default('false').describe('Publish in the same transaction.'),
});

export function publishingRoutes(services: DraftServices, renderPreview: RenderPreview): ApiRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/publish',
      summary: 'Publish the draft as a new snapshot (unless it equals the latest)',
      tag: 'Publishing',
      permission: 'content:publish',
      response: publishResultResponse,
      handler: ({ ctx }) => services.publishing.publish(ctx),
    }),
    defineRoute({
      method: 'GET',
      url: '/snapshots',
      summary: 'List published snapshots, newest first',
      tag: 'Publishing',
      permission: 'content:read',
      query: pageQuery,
      response: pageOf(snapshotSummaryResponse),
      handler: async ({ ctx, query }) => {
        const history = await services.publishing.historyPage(ctx, query);
        return {
          ...history,
          items: history.items.map((snapshot) => ({
            ...snapshot,
            publishedAt: snapshot.publishedAt.toISOString(),
          })),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/snapshots/:version',
      summary: 'One published snapshot, exactly as it was published',
      tag: 'Publishing',
      permission: 'content:read',
      objectParam: 'version',
      params: z.object({ version: z.coerce.number().int().min(1).max(1_000_000) }),
      response: z.object({
        version: z.number().int(),
        publishedAt: z.string(),
        contentSha256: z.string(),
        content: z.record(z.string(), z.unknown()),
      }),
      handler: async ({ ctx, params }) => {
        const snapshot = await services.publishing.snapshot(ctx, params.version);
        return {
          ...snapshot,
          publishedAt: snapshot.publishedAt.toISOString(),
          content: { ...snapshot.content },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/export',
      summary: 'Export the whole draft as one trust center document',
      tag: 'Trust center as code',
      permission: 'content:read',
      response: documentSchema,
      handler: ({ ctx }) => services.transfer.exportDraft(ctx),
    }),
    defineRoute({
      method: 'POST',
      url: '/import',
      summary: 'Make the draft equal to a trust center document (publish=true also needs content:publish)',
      tag: 'Trust center as code',
      permission: 'content:write',
      bodyLimit: 2 * 1024 * 1024,
      query: importQuery,
      body: documentSchema,
      response: importResultResponse,
      handler: async ({ ctx, query, body }) => ({
        published: await services.transfer.importDraft(ctx, body, { publish: query.publish === 'true' }),
      }),
    }),
    ...draftRoutes(services, renderPreview),
  ];
}
