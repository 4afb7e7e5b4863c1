import { Readable } from 'node:stream';
import { z } from 'zod';
import { type ApiRoute, defineRoute, pageOf, pageQuery, RawResponse } from '../../platform/http/api-route.js';
import {
  createDocumentBody,
  documentDetail,
  documentOutput,
  documentPatch,
  documentVersion,
  downloadOutput,
  fileQuery,
  newVersionBody,
} from './documents.contract.js';
import type { DocumentsService } from './documents.service.js';
import { asciiFilename } from './upload-checks.js';

const idParam = z.object({ id: z.uuid() });

/** Documents under /api/v1: uploads are multipart/form-data with one part named "file". */
export function documentsRoutes(services: { documents: DocumentsService }): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/documents',
      summary: 'List documents with their current version',
      tag: 'Documents',
      permission: 'documents:read',
      query: pageQuery,
      response: pageOf(documentOutput),
      handler: async ({ ctx, query }) => services.documents.listPage(ctx, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/documents',
      summary:
        'Upload a new document (multipart/form-data: title, description, category, accessLevel, expiresOn, file)',
      tag: 'Documents',
      permission: 'documents:write',
      body: createDocumentBody,
      successStatus: 201,
      response: documentOutput,
      handler: ({ ctx, body }) => {
        const { file, ...metadata } = body;
        return services.documents.create(ctx, metadata, file);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/documents/:id',
      summary: 'One document with every version',
      tag: 'Documents',
      permission: 'documents:read',
      objectParam: 'id',
      params: idParam,
      response: documentDetail,
      handler: ({ ctx, params }) => services.documents.get(ctx, params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/documents/:id',
      summary: "Change a document's title, description, category, access level or expiry",
      tag: 'Documents',
      permission: 'documents:write',
      objectParam: 'id',
      params: idParam,
      body: documentPatch,
      response: documentOutput,
      handler: ({ ctx, params, body }) => services.documents.update(ctx, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/documents/:id',
      summary: 'Delete a document, every version and their stored files',
      tag: 'Documents',
      permission: 'documents:write',
      objectParam: 'id',
      params: idParam,
      successStatus: 204,
      handler: async ({ ctx, params }) => {
        await services.documents.remove(ctx, params.id);
        return undefined;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/documents/:id/versions',
      summary: 'Upload a new version of a document (multipart/form-data: file); older versions are kept',
      tag: 'Documents',
      permission: 'documents:write',
      objectParam: 'id',
      params: idParam,
      body: newVersionBody,
      successStatus: 201,
      response: documentVersion,
      handler: ({ ctx, params, body }) => services.documents.addVersion(ctx, params.id, body.file),
    }),
    defineRoute({
      method: 'GET',
      url: '/documents/:id/file',
      summary: 'Download a version of a document (the current one unless ?version=); logged',
      tag: 'Documents',
      permission: 'documents:read',
      objectParam: 'id',
      params: idParam,
      query: fileQuery,
      produces: ['application/octet-stream'],
      handler: async ({ ctx, params, query }) => {
        const file = await services.documents.readFile(ctx, params.id, query.version);
        return new RawResponse(file.mediaType, Readable.from([file.bytes]), asciiFilename(file.filename));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/documents/:id/downloads',
      summary: 'Who downloaded a document: actor or grant, version, time (newest first)',
      tag: 'Documents',
      permission: 'access_requests:manage',
      objectParam: 'id',
      params: idParam,
      query: pageQuery,
      response: pageOf(downloadOutput),
      handler: async ({ ctx, params, query }) => services.documents.downloads(ctx, params.id, query),
    }),
  ];
}
