import { z } from 'zod';
import { type ApiRoute, defineRoute, RawResponse } from '../../platform/http/api-route.js';
import { downloadQuery, exportLink, exportView } from './tenant-export.contract.js';
import type { TenantExportService } from './tenant-export.service.js';

const exportParam = z.object({ id: z.uuid() });

export interface TenantExportRouteServices {
  tenantExports: TenantExportService;
}

/** Complete tenant exports under /api/v1/exports (owners only; decision 0026). */
export function tenantExportRoutes(services: TenantExportRouteServices): ApiRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/exports',
      summary: 'Start a complete export of the trust center (a job the worker runs)',
      tag: 'exports',
      permission: 'tenant:own',
      successStatus: 201,
      response: exportView,
      handler: ({ ctx }) => services.tenantExports.request(ctx),
    }),
    defineRoute({
      method: 'GET',
      url: '/exports',
      summary: 'The latest exports and their state',
      tag: 'exports',
      permission: 'tenant:own',
      response: z.object({ items: z.array(exportView) }),
      handler: async ({ ctx }) => ({ items: await services.tenantExports.list(ctx) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/exports/:id',
      summary: 'An export: state and progress',
      tag: 'exports',
      permission: 'tenant:own',
      objectParam: 'id',
      params: exportParam,
      response: exportView,
      handler: ({ ctx, params }) => services.tenantExports.get(ctx, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/exports/:id/link',
      summary: 'A single-use download link for a finished export, valid 15 minutes',
      tag: 'exports',
      permission: 'tenant:own',
      objectParam: 'id',
      params: exportParam,
      successStatus: 201,
      response: exportLink,
      handler: ({ ctx, params }) => services.tenantExports.link(ctx, params.id),
    }),
    defineRoute({
      method: 'GET',
      url: '/exports/:id/download',
      summary: 'Download the archive (ZIP) once, with the token of a link',
      tag: 'exports',
      permission: 'tenant:own',
      objectParam: 'id',
      params: exportParam,
      query: downloadQuery,
      produces: ['application/zip'],
      handler: async ({ ctx, params, query }) => {
        const { body, filename } = await services.tenantExports.download(ctx, params.id, query.token ?? '');
        return new RawResponse('application/zip', body, filename);
      },
    }),
  ];
}
