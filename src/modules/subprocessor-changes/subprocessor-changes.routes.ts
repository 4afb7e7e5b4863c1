import { z } from 'zod';
import { type ApiRoute, defineRoute, pageOf, pageQuery } from '../../platform/http/api-route.js';
import { changeInput, changeResponse, noticePeriodResponse } from './subprocessor-changes.contract.js';
import type { SubprocessorChangesService } from './subprocessor-changes.service.js';

const idParams = z.object({ id: z.uuid() });

/** What these routes use of the services (the app passes them all). */
export interface SubprocessorChangesRouteServices {
  subprocessorChanges: SubprocessorChangesService;
}

export function subprocessorChangesRoutes(services: SubprocessorChangesRouteServices): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/subprocessor-changes',
      summary: 'List announced subprocessor changes, newest first',
      tag: 'Subprocessors',
      permission: 'content:read',
      query: pageQuery,
      response: pageOf(changeResponse),
      handler: ({ ctx, query }) => services.subprocessorChanges.list(ctx, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/subprocessor-changes',
      summary: 'Announce a subprocessor change: published as upcoming, subscribers notified at once',
      tag: 'Subprocessors',
      permission: 'content:publish',
      body: changeInput,
      response: changeResponse,
      successStatus: 201,
      handler: ({ ctx, body }) => services.subprocessorChanges.announce(ctx, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/subprocessor-changes/notice-period',
      summary: 'The notice period a change must respect, and the earliest effective date it allows today',
      tag: 'Subprocessors',
      permission: 'content:read',
      response: noticePeriodResponse,
      handler: ({ ctx }) => services.subprocessorChanges.noticePeriod(ctx),
    }),
    defineRoute({
      method: 'GET',
      url: '/subprocessor-changes/:id',
      summary: 'Read an announced subprocessor change',
      tag: 'Subprocessors',
      permission: 'content:read',
      params: idParams,
      objectParam: 'id',
      response: changeResponse,
      handler: ({ ctx, params }) => services.subprocessorChanges.get(ctx, params.id),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/subprocessor-changes/:id',
      summary: 'Withdraw a scheduled subprocessor change',
      tag: 'Subprocessors',
      permission: 'content:publish',
      params: idParams,
      objectParam: 'id',
      successStatus: 204,
      handler: ({ ctx, params }) => services.subprocessorChanges.cancel(ctx, params.id),
    }),
  ];
}
