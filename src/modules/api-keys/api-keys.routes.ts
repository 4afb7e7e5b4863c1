import { z } from 'zod';
import { type ApiRoute, defineRoute, pageOf, pageQuery } from '../../platform/http/api-route.js';
import { apiKeyView, createApiKeyInput, createdApiKey, rotateApiKeyInput } from './api-keys.contract.js';
import type { ApiKeysService } from './api-keys.service.js';

const keyParam = z.object({ id: z.uuid() });

/** What these routes use of the services (the app passes them all). */
export interface ApiKeysRouteServices {
  apiKeys: ApiKeysService;
}

/** API keys under /api/v1: the secret appears only in the answer to create and rotate. */
export function apiKeysRoutes(services: ApiKeysRouteServices): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api-keys',
      summary: 'List API keys (never their secrets)',
      tag: 'api-keys',
      permission: 'api_keys:read',
      query: pageQuery,
      response: pageOf(apiKeyView),
      handler: async ({ ctx, query }) => services.apiKeys.listPage(ctx, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/api-keys',
      summary: 'Create an API key; its secret is shown once',
      tag: 'api-keys',
      permission: 'api_keys:manage',
      body: createApiKeyInput,
      successStatus: 201,
      response: createdApiKey,
      handler: ({ ctx, body }) => services.apiKeys.create(ctx, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api-keys/:id/rotate',
      summary: 'Issue a successor key; the old one keeps working for the overlap window',
      tag: 'api-keys',
      permission: 'api_keys:manage',
      objectParam: 'id',
      params: keyParam,
      body: rotateApiKeyInput,
      successStatus: 201,
      response: createdApiKey,
      handler: ({ ctx, params, body }) => services.apiKeys.rotate(ctx, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api-keys/:id',
      summary: 'Revoke an API key at once',
      tag: 'api-keys',
      permission: 'api_keys:manage',
      objectParam: 'id',
      params: keyParam,
      successStatus: 204,
      handler: async ({ ctx, params }) => {
        await services.apiKeys.revoke(ctx, params.id);
        return undefined;
      },
    }),
  ];
}
