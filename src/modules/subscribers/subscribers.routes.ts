import { type ApiRoute, defineRoute, pageOf, pageQuery } from '../../platform/http/api-route.js';
import type { NotificationSettingsService } from './notification-settings.service.js';
import { notificationSettingsInput, subscriberCounts, subscriberResponse } from './subscribers.contract.js';
import type { SubscribersService } from './subscribers.service.js';

/** What these routes use of the services (the app passes them all). */
export interface SubscribersRouteServices {
  subscribers: SubscribersService;
  notificationSettings: NotificationSettingsService;
}

export function subscribersRoutes(services: SubscribersRouteServices): ApiRoute[] {
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
