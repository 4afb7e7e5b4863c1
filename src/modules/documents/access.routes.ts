import { z } from 'zod';
import { type ApiRoute, defineRoute, pageOf, pageQuery } from '../../platform/http/api-route.js';
import {
  accessRequestOutput,
  accessRequestQuery,
  accessRulesInput,
  accessRulesOutput,
  decisionInput,
  decisionOutput,
  extendInput,
  grantOutput,
  ndaInput,
  ndaOutput,
} from './access.contract.js';
import type { AccessRequestsService } from './access-requests.service.js';
import type { AccessSettingsService } from './access-settings.service.js';
import type { GrantsService } from './grants.service.js';

const idParam = z.object({ id: z.uuid() });

/** Access requests, grants, the NDA and the rules under /api/v1. */
export function accessRoutes(services: {
  accessRequests: AccessRequestsService;
  grants: GrantsService;
  accessSettings: AccessSettingsService;
}): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/access-requests',
      summary: 'List access requests, newest first (filter with ?status=pending)',
      tag: 'Access requests',
      permission: 'access_requests:manage',
      query: accessRequestQuery,
      response: pageOf(accessRequestOutput),
      handler: ({ ctx, query }) => services.accessRequests.list(ctx, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/access-requests/:id/decision',
      summary: 'Approve (grant and e-mail a single-use link) or deny a pending request',
      tag: 'Access requests',
      permission: 'access_requests:manage',
      objectParam: 'id',
      params: idParam,
      body: decisionInput,
      response: decisionOutput,
      handler: ({ ctx, params, body }) => services.accessRequests.decide(ctx, params.id, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/grants',
      summary: 'List grants with their status (active, expired, revoked), newest first',
      tag: 'Access requests',
      permission: 'access_requests:manage',
      query: pageQuery,
      response: pageOf(grantOutput),
      handler: ({ ctx, query }) => services.grants.list(ctx, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/grants/:id/extend',
      summary: 'Extend a grant by a number of days',
      tag: 'Access requests',
      permission: 'access_requests:manage',
      objectParam: 'id',
      params: idParam,
      body: extendInput,
      response: grantOutput,
      handler: ({ ctx, params, body }) => services.grants.extend(ctx, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/grants/:id',
      summary: 'Revoke a grant at once: its link, sessions and downloads stop working',
      tag: 'Access requests',
      permission: 'access_requests:manage',
      objectParam: 'id',
      params: idParam,
      successStatus: 204,
      handler: async ({ ctx, params }) => {
        await services.grants.revoke(ctx, params.id);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/nda',
      summary: 'The current NDA text and the history of its versions',
      tag: 'Access requests',
      permission: 'documents:read',
      response: ndaOutput,
      handler: ({ ctx }) => services.accessSettings.getNda(ctx),
    }),
    defineRoute({
      method: 'PUT',
      url: '/nda',
      summary: 'Set the NDA text (a new version unless unchanged); visitors accept it from now on',
      tag: 'Access requests',
      permission: 'access_requests:manage',
      body: ndaInput,
      response: ndaOutput,
      handler: ({ ctx, body }) => services.accessSettings.setNda(ctx, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/access-rules',
      summary: 'Rules that decide requests by e-mail domain, and how long grants last',
      tag: 'Access requests',
      permission: 'access_requests:manage',
      response: accessRulesOutput,
      handler: ({ ctx }) => services.accessSettings.getRules(ctx),
    }),
    defineRoute({
      method: 'PUT',
      url: '/access-rules',
      summary: 'Set the rules (auto-deny wins over auto-approve; a domain covers its subdomains)',
      tag: 'Access requests',
      permission: 'access_requests:manage',
      body: accessRulesInput,
      response: accessRulesOutput,
      handler: ({ ctx, body }) => services.accessSettings.setRules(ctx, body),
    }),
  ];
}
