import { type ApiRoute, defineRoute, pageOf, pageQuery } from '../http/api-route.js';
import { outboxEntry } from './mail.contract.js';
import type { OutboxService } from './outbox.js';

/** GET /api/v1/outbox: what the trust center sent, or keeps for the console when no SMTP server is set. */
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
  ];
}
