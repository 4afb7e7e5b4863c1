import { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import {
  type ApiRoute,
  defineRoute,
  page,
  pageOf,
  pageQuery,
  pageText,
} from '../../platform/http/api-route.js';
import { JsonText } from '../../platform/http/json-response.js';
import { patchOf, text } from '../../platform/validation/strings.js';
import {
  categoryInput,
  controlStatus,
  faqInput,
  profileInput,
  subprocessorInput,
} from './content.contract.js';
import {
  categoryResponse,
  controlResponse,
  faqEntryResponse,
  profileResponse,
  subprocessorResponse,
  toControlResponse,
  toProfileResponse,
} from './content.responses.js';
import type { ControlsService } from './controls.service.js';
import { categoryUpdateInput, controlCreateInput, controlUpdateInput } from './controls.service.js';
import { evidenceCoverageResponse } from './coverage.contract.js';
import type { FaqService } from './faq.service.js';
import { reorderInput } from './ordering.js';
import type { createProfileService } from './profile.service.js';
import type { SubprocessorsService } from './subprocessors.service.js';

/*
 * The draft-content API: profile, categories, controls, FAQ and subprocessors. Handlers only map
 * the request onto one service call and its result onto the response; the services authorize.
 */

const idParams = z.object({ id: z.uuid() });

const controlsQuery = pageQuery.extend({
  categoryId: z.uuid().optional(),
  status: controlStatus.optional(),
  q: text(100).optional().describe('Matches title or description, ignoring case.'),
});

/** Today's date in UTC, the calendar review intervals are counted in. */
function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** What these routes use of the services (the app passes them all). */
export interface ContentRouteServices {
  profile: ReturnType<typeof createProfileService>;
  controls: ControlsService;
  faq: FaqService;
  subprocessors: SubprocessorsService;
}

function profileRoutes(services: ContentRouteServices): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/profile',
      summary: 'Read the trust center profile',
      tag: 'Profile',
      permission: 'content:read',
      response: profileResponse,
      handler: async ({ ctx }) => toProfileResponse(await services.profile.get(ctx)),
    }),
    defineRoute({
      method: 'PUT',
      url: '/profile',
      summary: 'Replace the trust center profile',
      tag: 'Profile',
      permission: 'content:write',
      body: profileInput,
      response: profileResponse,
      handler: async ({ ctx, body }) => toProfileResponse(await services.profile.update(ctx, body)),
    }),
  ];
}

function categoryRoutes(services: ContentRouteServices): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/categories',
      summary: 'List control categories in display order',
      tag: 'Controls',
      permission: 'content:read',
      query: pageQuery,
      response: pageOf(categoryResponse),
      handler: async ({ ctx, query }) => page(await services.controls.listCategories(ctx), query),
    }),
    defineRoute({
      method: 'POST',
      url: '/categories',
      summary: 'Add a control category at the end',
      tag: 'Controls',
      permission: 'content:write',
      body: categoryInput,
      response: categoryResponse,
      successStatus: 201,
      handler: ({ ctx, body }) => services.controls.createCategory(ctx, body),
    }),
    defineRoute({
      method: 'PUT',
      url: '/categories/order',
      summary: 'Reorder control categories (list every category id once)',
      tag: 'Controls',
      permission: 'content:write',
      body: reorderInput,
      successStatus: 204,
      handler: async ({ ctx, body }) => services.controls.reorderCategories(ctx, body.ids),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/categories/:id',
      summary: 'Change a control category',
      tag: 'Controls',
      permission: 'content:write',
      params: idParams,
      objectParam: 'id',
      body: categoryUpdateInput,
      successStatus: 204,
      handler: async ({ ctx, params, body }) => services.controls.updateCategory(ctx, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/categories/:id',
      summary: 'Delete a control category and every control in it',
      tag: 'Controls',
      permission: 'content:write',
      params: idParams,
      objectParam: 'id',
      successStatus: 204,
      handler: async ({ ctx, params }) => services.controls.deleteCategory(ctx, params.id),
    }),
    defineRoute({
      method: 'PUT',
      url: '/categories/:id/controls/order',
      summary: 'Reorder the controls of a category (list every control id of it once)',
      tag: 'Controls',
      permission: 'content:write',
      params: idParams,
      objectParam: 'id',
      body: reorderInput,
      successStatus: 204,
      handler: async ({ ctx, params, body }) => services.controls.reorderControls(ctx, params.id, body.ids),
    }),
  ];
}

function controlRoutes(services: ContentRouteServices): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/controls',
      summary: 'List controls by category and position, optionally filtered',
      tag: 'Controls',
      permission: 'content:read',
      query: controlsQuery,
      response: pageOf(controlResponse),
      handler: async ({ ctx, query }) => {
        const { categoryId, status, q, limit, offset } = query;
        const found = await services.controls.listControlsPage(
          ctx,
          { categoryId, status, q },
          { limit, offset },
        );
        return pageText(found.items, found.total, query);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/controls/:id',
      summary: 'Read a control',
      tag: 'Controls',
      permission: 'content:read',
      params: idParams,
      objectParam: 'id',
      response: controlResponse,
      handler: async ({ ctx, params }) =>
        new JsonText(await services.controls.readControlJson(ctx, params.id)),
    }),
    defineRoute({
      method: 'POST',
      url: '/controls',
      summary: 'Add a control at the end of its category',
      tag: 'Controls',
      permission: 'content:write',
      body: controlCreateInput,
      response: controlResponse,
      successStatus: 201,
      handler: async ({ ctx, body }) => toControlResponse(await services.controls.createControl(ctx, body)),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/controls/:id',
      summary: 'Change a control (a new categoryId moves it)',
      tag: 'Controls',
      permission: 'content:write',
      params: idParams,
      objectParam: 'id',
      body: controlUpdateInput,
      response: controlResponse,
      handler: async ({ ctx, params, body }) =>
        toControlResponse(await services.controls.updateControl(ctx, params.id, body)),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/controls/:id',
      summary: 'Delete a control',
      tag: 'Controls',
      permission: 'content:write',
      params: idParams,
      objectParam: 'id',
      successStatus: 204,
      handler: async ({ ctx, params }) => services.controls.deleteControl(ctx, params.id),
    }),
    defineRoute({
      method: 'GET',
      url: '/evidence-coverage',
      summary:
        'How the implemented controls are evidenced: live check, document or artifact, statement, or nothing',
      tag: 'Controls',
      permission: 'content:read',
      response: evidenceCoverageResponse,
      handler: ({ ctx }) => services.controls.evidenceCoverage(ctx),
    }),
    defineRoute({
      method: 'GET',
      url: '/overdue-reviews',
      summary: 'List controls overdue for review today (UTC), or never reviewed',
      tag: 'Controls',
      permission: 'content:read',
      query: pageQuery,
      response: pageOf(controlResponse),
      handler: async ({ ctx, query }) =>
        page((await services.controls.listOverdueForReview(ctx, todayUtc())).map(toControlResponse), query),
    }),
  ];
}

/** The service shape FAQ entries and subprocessors share (see item-list.service.ts). */
interface ItemListService<Body, Update, Item> {
  list(ctx: ServiceContext): Promise<Item[]>;
  get(ctx: ServiceContext, id: string): Promise<Item>;
  create(ctx: ServiceContext, input: Body): Promise<Item>;
  update(ctx: ServiceContext, id: string, input: Update): Promise<Item>;
  remove(ctx: ServiceContext, id: string): Promise<void>;
  reorder(ctx: ServiceContext, ids: string[]): Promise<void>;
}

/** List, read, create, change, delete and reorder for one flat, ordered list of items. */
function itemListRoutes<Input extends z.ZodObject, Update extends z.ZodObject, Item>(config: {
  url: string;
  tag: string;
  noun: string;
  nouns: string;
  service: ItemListService<z.output<Input>, z.output<Update>, Item>;
  input: Input;
  updateInput: Update;
  response: z.ZodType<unknown, Item>;
}): ApiRoute[] {
  const { url, tag, noun, nouns, service } = config;
  const objectUrl = `${url}/:id`;
  return [
    defineRoute({
      method: 'GET',
      url,
      summary: `List ${nouns} in display order`,
      tag,
      permission: 'content:read',
      query: pageQuery,
      response: pageOf(config.response),
      handler: async ({ ctx, query }) => page(await service.list(ctx), query),
    }),
    defineRoute({
      method: 'GET',
      url: objectUrl,
      summary: `Read a ${noun}`,
      tag,
      permission: 'content:read',
      params: idParams,
      objectParam: 'id',
      response: config.response,
      handler: ({ ctx, params }) => service.get(ctx, params.id),
    }),
    defineRoute({
      method: 'POST',
      url,
      summary: `Add a ${noun} at the end`,
      tag,
      permission: 'content:write',
      body: config.input,
      response: config.response,
      successStatus: 201,
      handler: ({ ctx, body }) => service.create(ctx, body),
    }),
    defineRoute({
      method: 'PATCH',
      url: objectUrl,
      summary: `Change a ${noun}`,
      tag,
      permission: 'content:write',
      params: idParams,
      objectParam: 'id',
      body: config.updateInput,
      response: config.response,
      handler: ({ ctx, params, body }) => service.update(ctx, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: objectUrl,
      summary: `Delete a ${noun}`,
      tag,
      permission: 'content:write',
      params: idParams,
      objectParam: 'id',
      successStatus: 204,
      handler: async ({ ctx, params }) => service.remove(ctx, params.id),
    }),
    defineRoute({
      method: 'PUT',
      url: `${url}/order`,
      summary: `Reorder ${nouns} (list every id once)`,
      tag,
      permission: 'content:write',
      body: reorderInput,
      successStatus: 204,
      handler: async ({ ctx, body }) => service.reorder(ctx, body.ids),
    }),
  ];
}

/** Every route of the draft-content API, relative to API_PREFIX. */
export function contentRoutes(services: ContentRouteServices): ApiRoute[] {
  return [
    ...profileRoutes(services),
    ...categoryRoutes(services),
    ...controlRoutes(services),
    ...itemListRoutes({
      url: '/faq',
      tag: 'FAQ',
      noun: 'FAQ entry',
      nouns: 'FAQ entries',
      service: services.faq,
      input: faqInput,
      updateInput: patchOf(faqInput),
      response: faqEntryResponse,
    }),
    ...itemListRoutes({
      url: '/subprocessors',
      tag: 'Subprocessors',
      noun: 'subprocessor',
      nouns: 'subprocessors',
      service: services.subprocessors,
      input: subprocessorInput,
      updateInput: patchOf(subprocessorInput),
      response: subprocessorResponse,
    }),
  ];
}
