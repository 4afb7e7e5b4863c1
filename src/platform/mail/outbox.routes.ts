import { z } from 'zod';
import { type ApiRoute, defineRoute, pageOf, pageQuery } from '../http/api-route.js';
import { outboxEntry } from './mail.contract.js';
import type { OutboxService } from './outbox.js';

const idParams = z.object({ id: z.uuid() });

/**
 * GET /api/v1/outbox: what the trust center sent, or keeps for the console when no SMTP server is
 * set; POST /api/v1/outbox/:id/resend: a refused mail sent again once its cause is fixed.
 */
export function outboxRoutes(services: { outbox: OutboxService }): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/outbox',
      summary: 'Recent mails of the trust center and their delivery state, newest first',
      tag: 'Mail',
      permission: 'settings:read',
      query: pageQuery,
      response: pageOf(outboxEntry),
      handler: ({ ctx, query }) => services.outbox.list(ctx, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/outbox/:id/resend',
      summary: 'Send a failed mail again (same Message-ID, a fresh set of attempts)',
      tag: 'Mail',
      permission: 'settings:manage',
      params: idParams,
      objectParam: 'id',
      response: outboxEntry,
      handler: ({ ctx, params }) => services.outbox.resend(ctx, params.id),
    }),
  ];
}
