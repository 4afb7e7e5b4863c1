import { z } from 'zod';
import { type ApiRoute, defineRoute } from '../../platform/http/api-route.js';
import { createHostCheckInput, hostCheckList, hostCheckView } from './host-checks.contract.js';
import type { HostChecksService } from './host-checks.service.js';

const checkParam = z.object({ id: z.uuid() });

/** What these routes use of the services (the app passes them all). */
export interface HostChecksRouteServices {
  hostChecks: HostChecksService;
}

/** Checks of the tenant's own hosts under /api/v1: list, add, read, remove. */
export function hostChecksRoutes(services: HostChecksRouteServices): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/host-checks',
      summary: "The checks of this trust center's own hosts, with their latest results",
      tag: 'host-checks',
      permission: 'settings:read',
      response: hostCheckList,
      handler: ({ ctx }) => services.hostChecks.list(ctx),
    }),
    defineRoute({
      method: 'POST',
      url: '/host-checks',
      summary:
        'Add a check of one of your hosts (TLS endpoint, HTTP headers, SSH authentication, DNS, uptime)',
      tag: 'host-checks',
      permission: 'settings:manage',
      body: createHostCheckInput,
      successStatus: 201,
      response: hostCheckView,
      handler: ({ ctx, body }) => services.hostChecks.create(ctx, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/host-checks/:id',
      summary: 'One check of your hosts, with its latest result',
      tag: 'host-checks',
      permission: 'settings:read',
      objectParam: 'id',
      params: checkParam,
      response: hostCheckView,
      handler: ({ ctx, params }) => services.hostChecks.get(ctx, params.id),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/host-checks/:id',
      summary: 'Remove a check of your hosts, with its uptime history',
      tag: 'host-checks',
      permission: 'settings:manage',
      objectParam: 'id',
      params: checkParam,
      successStatus: 204,
      handler: async ({ ctx, params }) => {
        await services.hostChecks.remove(ctx, params.id);
        return undefined;
      },
    }),
  ];
}
