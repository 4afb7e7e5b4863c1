import { z } from 'zod';
import { type ApiRoute, defineRoute, page, pageOf, pageQuery } from '../../platform/http/api-route.js';
import { certificationInput, certificationPatch, certificationResponse } from './certifications.contract.js';
import type { CertificationsService } from './certifications.service.js';

const idParams = z.object({ id: z.uuid() });

const patchBody = certificationPatch.and(
  z.object({
    rebind: z
      .boolean()
      .optional()
      .describe("Bind the report document's current file again (after a new version was uploaded)."),
  }),
);

/** Certifications and the reports behind them: the trust center's badges. */
export function certificationsRoutes(services: { certifications: CertificationsService }): ApiRoute[] {
  const { certifications } = services;
  return [
    defineRoute({
      method: 'GET',
      url: '/certifications',
      summary: 'List certifications with the reports that prove them',
      tag: 'Certifications',
      permission: 'documents:read',
      query: pageQuery,
      response: pageOf(certificationResponse),
      handler: async ({ ctx, query }) => page(await certifications.list(ctx), query),
    }),
    defineRoute({
      method: 'GET',
      url: '/certifications/:id',
      summary: 'Read a certification',
      tag: 'Certifications',
      permission: 'documents:read',
      params: idParams,
      objectParam: 'id',
      response: certificationResponse,
      handler: ({ ctx, params }) => certifications.get(ctx, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/certifications',
      summary:
        "Add a certification, bound to a document of this trust center (its report) and that file's SHA-256",
      tag: 'Certifications',
      permission: 'documents:write',
      body: certificationInput,
      response: certificationResponse,
      successStatus: 201,
      handler: ({ ctx, body }) => certifications.create(ctx, body),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/certifications/:id',
      summary: 'Change a certification (a new documentId or rebind binds that file again)',
      tag: 'Certifications',
      permission: 'documents:write',
      params: idParams,
      objectParam: 'id',
      body: patchBody,
      response: certificationResponse,
      handler: ({ ctx, params, body }) => certifications.update(ctx, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/certifications/:id',
      summary: 'Delete a certification (its badge goes at once)',
      tag: 'Certifications',
      permission: 'documents:write',
      params: idParams,
      objectParam: 'id',
      successStatus: 204,
      handler: async ({ ctx, params }) => certifications.remove(ctx, params.id),
    }),
  ];
}
