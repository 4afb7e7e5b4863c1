import { Readable } from 'node:stream';
import { z } from 'zod';
import { type ApiRoute, defineRoute, RawResponse } from '../../platform/http/api-route.js';
import { auditFilter, auditPage, auditQuery, auditVerification } from './audit.contract.js';
import { auditExportContentTypes, auditExportFormats, formatAuditExport } from './audit.export.js';
import type { AuditService } from './audit.service.js';

/** What these routes use of the services (the app passes them all). */
export interface AuditRouteServices {
  audit: AuditService;
}

/** The audit log under /api/v1: read, export (streamed) and verify, all behind audit:read. */
export function auditRoutes(services: AuditRouteServices): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/audit-events',
      summary: 'List audit events, newest first (cursor: before)',
      tag: 'audit',
      permission: 'audit:read',
      query: auditQuery,
      response: auditPage,
      handler: ({ ctx, query }) => services.audit.list(ctx, query),
    }),
    defineRoute({
      method: 'GET',
      url: '/audit-events/export',
      summary: 'Export audit events as JSON lines or CSV',
      tag: 'audit',
      permission: 'audit:read',
      produces: ['application/x-ndjson', 'text/csv'],
      query: z.intersection(auditFilter, z.object({ format: z.enum(auditExportFormats).default('jsonl') })),
      handler: async ({ ctx, query }) => {
        const { format, ...filter } = query;
        const events = services.audit.exportAll(ctx, filter);
        return new RawResponse(
          auditExportContentTypes[format],
          Readable.from(formatAuditExport(events, format)),
          `audit-events.${format === 'csv' ? 'csv' : 'jsonl'}`,
        );
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/audit-events/verification',
      summary: "Verify the tenant's audit hash chain",
      tag: 'audit',
      permission: 'audit:read',
      response: auditVerification,
      handler: ({ ctx }) => services.audit.verify(ctx),
    }),
  ];
}
