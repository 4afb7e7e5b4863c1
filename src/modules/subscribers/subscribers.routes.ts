import { type ApiRoute, defineRoute, pageOf, pageQuery } from '../../platform/http/api-route.js';
import type { Services } from '../../services.js';
import { notificationSettingsInput, subscriberCounts, subscriberResponse } from './subscribers.contract.js';

export function subscribersRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/subscribers',
      summary: 'List subscribers (personal data: e-mail addresses), newest first',
      tag: 'Subscribers',
      permission: 'subscribers:read',
      query: pageQuery,
      response: pageOf(subscriberResponse),
      handler: ({ ctx, query }) => services.subscribers.list(ctx, query),
    }),
    defineRoute({
      method: 'GET',
      url: '/subscribers/counts',
      summary: 'How many subscribers, confirmed and pending, by topic',
      tag: 'Subscribers',
      permission: 'subscribers:read',
      response: subscriberCounts,
      handler: ({ ctx }) => services.subscribers.counts(ctx),
    }),
    defineRoute({
      method: 'GET',
      url: '/notification-settings',
      summary: 'Read the notice period of subprocessor changes and the sender name and reply-to of mails',
      tag: 'Subscribers',
      permission: 'settings:read',
      response: notificationSettingsInput,
      handler: ({ ctx }) => services.notificationSettings.get(ctx),
    }),
    defineRoute({
      method: 'PUT',
      url: '/notification-settings',
      summary: 'Set the notice period of subprocessor changes and the sender name and reply-to of mails',
      tag: 'Subscribers',
      permission: 'settings:manage',
      body: notificationSettingsInput,
      response: notificationSettingsInput,
      handler: ({ ctx, body }) => services.notificationSettings.update(ctx, body),
    }),
  ];
}
