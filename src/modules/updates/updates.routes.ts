import { z } from 'zod';
import { type ApiRoute, defineRoute, pageOf, pageQuery } from '../../platform/http/api-route.js';
import { noticeResponse } from '../notices/notices.contract.js';
import type { NoticesService } from '../notices/notices.service.js';
import type { IncidentsService } from './incidents.service.js';
import type { PostsService } from './posts.service.js';
import { renderUpdateBody } from './update-body.js';
import {
  incidentInput,
  incidentPatch,
  incidentResponse,
  postInput,
  postPatch,
  postResponse,
  previewInput,
  previewResponse,
} from './updates.contract.js';

const idParams = z.object({ id: z.uuid() });

/** What these routes use of the services (the app passes them all). */
export interface UpdatesRouteServices {
  posts: PostsService;
  incidents: IncidentsService;
  notices: NoticesService;
}

/** The updates feed (posts), incidents with their time to notify, and the notices sent to subscribers. */
export function updatesRoutes(services: UpdatesRouteServices): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/updates',
      summary: 'List update posts, drafts and published, newest first',
      tag: 'Updates',
      permission: 'content:read',
      query: pageQuery,
      response: pageOf(postResponse),
      handler: ({ ctx, query }) => services.posts.list(ctx, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/updates',
      summary: 'Write a draft update post',
      tag: 'Updates',
      permission: 'updates:write',
      body: postInput,
      response: postResponse,
      successStatus: 201,
      handler: ({ ctx, body }) => services.posts.create(ctx, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/updates/preview',
      summary: 'Render a post body as the public updates page would, without saving it',
      tag: 'Updates',
      permission: 'updates:write',
      body: previewInput,
      response: previewResponse,
      // The same renderer and sanitiser as the public page and the feeds: what is previewed is what is published.
      handler: async ({ body }) => ({ html: renderUpdateBody(body.body) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/updates/:id',
      summary: 'Read an update post',
      tag: 'Updates',
      permission: 'content:read',
      params: idParams,
      objectParam: 'id',
      response: postResponse,
      handler: ({ ctx, params }) => services.posts.get(ctx, params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/updates/:id',
      summary: 'Change an update post (a published one is corrected in the feed at once)',
      tag: 'Updates',
      permission: 'updates:write',
      params: idParams,
      objectParam: 'id',
      body: postPatch,
      response: postResponse,
      handler: ({ ctx, params, body }) => services.posts.update(ctx, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/updates/:id/publish',
      summary: 'Publish an update post to the feed and notify its subscribers',
      tag: 'Updates',
      permission: 'updates:write',
      params: idParams,
      objectParam: 'id',
      response: postResponse,
      handler: ({ ctx, params }) => services.posts.publish(ctx, params.id),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/updates/:id',
      summary: 'Delete an update post (a published one leaves the feed)',
      tag: 'Updates',
      permission: 'updates:write',
      params: idParams,
      objectParam: 'id',
      successStatus: 204,
      handler: ({ ctx, params }) => services.posts.remove(ctx, params.id),
    }),
    defineRoute({
      method: 'GET',
      url: '/incidents',
      summary:
        'List incidents, most recently detected first, with their time to notify against the 24-hour target',
      tag: 'Incidents',
      permission: 'content:read',
      query: pageQuery,
      response: pageOf(incidentResponse),
      handler: ({ ctx, query }) => services.incidents.list(ctx, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/incidents',
      summary: 'Record an incident',
      tag: 'Incidents',
      permission: 'updates:write',
      body: incidentInput,
      response: incidentResponse,
      successStatus: 201,
      handler: ({ ctx, body }) => services.incidents.create(ctx, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/incidents/:id',
      summary: 'Read an incident and its time to notify',
      tag: 'Incidents',
      permission: 'content:read',
      params: idParams,
      objectParam: 'id',
      response: incidentResponse,
      handler: ({ ctx, params }) => services.incidents.get(ctx, params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/incidents/:id',
      summary: 'Change an incident (for example when customers were notified, or when it was resolved)',
      tag: 'Incidents',
      permission: 'updates:write',
      params: idParams,
      objectParam: 'id',
      body: incidentPatch,
      response: incidentResponse,
      handler: ({ ctx, params, body }) => services.incidents.update(ctx, params.id, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/notices',
      summary: 'Notices sent to subscribers and the state of their delivery, newest first',
      tag: 'Updates',
      permission: 'content:read',
      query: pageQuery,
      response: pageOf(noticeResponse),
      handler: ({ ctx, query }) => services.notices.list(ctx, query),
    }),
    defineRoute({
      method: 'GET',
      url: '/notices/:id',
      summary: 'Read a notice and the state of its delivery',
      tag: 'Updates',
      permission: 'content:read',
      params: idParams,
      objectParam: 'id',
      response: noticeResponse,
      handler: ({ ctx, params }) => services.notices.get(ctx, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/notices/:id/retry',
      summary: 'Run the fan-out of a failed notice again (nobody gets a mail twice)',
      tag: 'Updates',
      permission: 'updates:write',
      params: idParams,
      objectParam: 'id',
      response: noticeResponse,
      handler: ({ ctx, params }) => services.notices.retry(ctx, params.id),
    }),
  ];
}
