import { z } from 'zod';
import { type ApiRoute, defineRoute, pageOf } from '../../platform/http/api-route.js';
import type { AnswersService } from './answers.service.js';
import {
  answersInput,
  answersResponse,
  knowledgeEntryInput,
  knowledgeEntryResponse,
} from './knowledge-base.contract.js';
import {
  type KnowledgeBaseService,
  knowledgeEntriesQuery,
  knowledgeEntryPatch,
} from './knowledge-base.service.js';

/*
 * The knowledge-base API and questionnaire answers. Handlers map the request onto one service
 * call; the services authorize.
 */

const idParams = z.object({ id: z.uuid() });

export interface KnowledgeBaseRouteServices {
  knowledgeBase: KnowledgeBaseService;
  answers: AnswersService;
}

export function knowledgeBaseRoutes(services: KnowledgeBaseRouteServices): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/knowledge-base',
      summary: 'List knowledge-base entries by key, optionally filtered',
      tag: 'Knowledge base',
      permission: 'content:read',
      query: knowledgeEntriesQuery,
      response: pageOf(knowledgeEntryResponse),
      handler: ({ ctx, query }) => services.knowledgeBase.list(ctx, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/knowledge-base',
      summary: 'Add a knowledge-base entry',
      tag: 'Knowledge base',
      permission: 'content:write',
      body: knowledgeEntryInput,
      response: knowledgeEntryResponse,
      successStatus: 201,
      handler: ({ ctx, body }) => services.knowledgeBase.create(ctx, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/knowledge-base/:id',
      summary: 'Read a knowledge-base entry',
      tag: 'Knowledge base',
      permission: 'content:read',
      params: idParams,
      objectParam: 'id',
      response: knowledgeEntryResponse,
      handler: ({ ctx, params }) => services.knowledgeBase.get(ctx, params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/knowledge-base/:id',
      summary: 'Change a knowledge-base entry',
      tag: 'Knowledge base',
      permission: 'content:write',
      params: idParams,
      objectParam: 'id',
      body: knowledgeEntryPatch,
      response: knowledgeEntryResponse,
      handler: ({ ctx, params, body }) => services.knowledgeBase.update(ctx, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/knowledge-base/:id',
      summary: 'Delete a knowledge-base entry',
      tag: 'Knowledge base',
      permission: 'content:write',
      params: idParams,
      objectParam: 'id',
      successStatus: 204,
      handler: async ({ ctx, params }) => services.knowledgeBase.remove(ctx, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/answers',
      summary:
        "Propose answers to questionnaire questions from the knowledge base and the published controls and FAQ (retrieval only: each proposal is a cited entry's own text)",
      tag: 'Knowledge base',
      permission: 'content:read',
      body: answersInput,
      response: answersResponse,
      handler: ({ ctx, body }) => services.answers.answer(ctx, body),
    }),
  ];
}
