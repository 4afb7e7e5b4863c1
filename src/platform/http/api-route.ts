import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Permission, ServiceContext } from '../auth/context.js';
import { AppError } from '../errors.js';
import { type ApiRateLimiter, RateLimitedError, type RateLimitState } from './api-rate-limit.js';
import { createCompressedBodies, JsonText, sendJson } from './json-response.js';
import { bindTenantToLog } from './server.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRouteInput<Params, Query, Body> {
  ctx: ServiceContext;
  params: Params;
  query: Query;
  body: Body;
  request: FastifyRequest;
}

/**
 * One API route: its contract (zod schemas, from which OpenAPI is generated), the permission its
 * service demands (documented here, enforced by the service), and a handler that only maps input
 * to a service call. `objectParam` names the path parameter that identifies one tenant object:
 * the isolation test expects 404 for another tenant's id there.
 */
export interface ApiRoute<
  Params extends z.ZodType = z.ZodType,
  Query extends z.ZodType = z.ZodType,
  Body extends z.ZodType = z.ZodType,
  Response extends z.ZodType = z.ZodType,
> {
  method: Method;
  url: string;
  summary: string;
  tag: string;
  permission: Permission;
  params?: Params;
  query?: Query;
  body?: Body;
  response?: Response;
  successStatus?: 200 | 201 | 204;
  objectParam?: string;
  /** Content types of a route that answers with a file (RawResponse) instead of JSON. */
  produces?: string[];
  /** A larger request body than the server's default (1 MiB), for imports. */
  bodyLimit?: number;
  handler(
    input: ApiRouteInput<z.infer<Params>, z.infer<Query>, z.infer<Body>>,
  ): Promise<z.input<Response> | JsonText | RawResponse | undefined>;
}

export function defineRoute<
  Params extends z.ZodType = z.ZodObject<z.ZodRawShape>,
  Query extends z.ZodType = z.ZodObject<z.ZodRawShape>,
  Body extends z.ZodType = z.ZodUndefined,
  Response extends z.ZodType = z.ZodUnknown,
>(route: ApiRoute<Params, Query, Body, Response>): ApiRoute {
  return route as unknown as ApiRoute;
}

export const API_PREFIX = '/api/v1';

/** A non-JSON answer (an export): sent as is, with its content type and a download name. */
export class RawResponse {
  constructor(
    readonly contentType: string,
    readonly body: string | Readable,
    readonly filename?: string,
  ) {}
}

/**
 * A closing tenant is read-only: every route that changes something answers 409 tenant.read_only,
 * except those in `allowed` ("DELETE /api-keys/:id"…), which take access away and must keep working.
 */
export interface ReadOnlyGate {
  isWritable(tenantId: string): Promise<boolean>;
  allowed: ReadonlySet<string>;
}

function rateLimitHeaders(reply: FastifyReply, state: RateLimitState): void {
  reply.header('ratelimit-limit', state.limit);
  reply.header('ratelimit-remaining', state.remaining);
  reply.header('ratelimit-reset', state.resetSeconds);
}

/** Counts the request against its credential's and tenant's budgets; over one, a 429 that says when to retry. */
async function countRequest(
  limiter: ApiRateLimiter,
  ctx: ServiceContext,
  reply: FastifyReply,
): Promise<void> {
  try {
    rateLimitHeaders(reply, await limiter.take(`${ctx.actor.kind}:${ctx.actor.id}`, ctx.tenantId));
  } catch (error) {
    if (error instanceof RateLimitedError) {
      rateLimitHeaders(reply, error.state);
      reply.header('retry-after', error.state.resetSeconds);
    }
    throw error;
  }
}

/**
 * Registers API routes under /api/v1. Input is parsed with the route's zod schemas (a ZodError
 * becomes a 400 in the error handler); the caller is authenticated before the handler runs.
 */
export function registerApiRoutes(
  app: FastifyInstance,
  routes: readonly ApiRoute[],
  authenticate: (request: FastifyRequest) => Promise<ServiceContext>,
  readOnly?: ReadOnlyGate,
  rateLimit?: ApiRateLimiter,
): void {
  // Compressed answers of GET routes by ETag: 16 MB holds a few thousand compressed 75 KB lists.
  const compressed = createCompressedBodies(16 * 1024 * 1024);
  for (const route of routes) {
    const changes = route.method !== 'GET' && !readOnly?.allowed.has(`${route.method} ${route.url}`);
    app.route({
      method: route.method,
      url: `${API_PREFIX}${route.url}`,
      ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const ctx = await authenticate(request);
        bindTenantToLog(request, ctx.tenantId);
        if (rateLimit) await countRequest(rateLimit, ctx, reply);
        // Permission first: a caller who may not use the route learns nothing from its validation.
        // The service checks again (defence in depth, and for callers that are not routes).
        ctx.require(route.permission);
        if (changes && readOnly && !(await readOnly.isWritable(ctx.tenantId))) {
          throw new AppError('tenant.read_only');
        }
        const params = (route.params ?? z.object({})).parse(request.params ?? {});
        const query = (route.query ?? z.object({}).strip()).parse(request.query ?? {});
        const body = route.body ? route.body.parse(request.body) : undefined;
        const result = await route.handler({ ctx, params, query, body, request });
        reply.header('cache-control', 'no-store');
        if (result instanceof RawResponse) {
          reply.header('content-type', result.contentType);
          if (result.filename)
            reply.header('content-disposition', `attachment; filename="${result.filename}"`);
          return reply.code(200).send(result.body);
        }
        if (route.successStatus === 204 || result === undefined) return reply.code(204).send();
        const text = result instanceof JsonText ? result.text : JSON.stringify(result);
        // A read carries an ETag of the tenant, the URL and the body: a client that sends it back
        // gets 304 while nothing changed, and another tenant's tag never matches.
        return sendJson(
          request,
          reply,
          route.successStatus ?? 200,
          text,
          route.method === 'GET' ? { scope: `${ctx.tenantId} ${request.url}`, compressed } : {},
        );
      },
    });
  }
}

/** Pagination of a list: `?limit=&offset=`, answered as `{ items, total, nextOffset }`. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type PageQuery = z.infer<typeof pageQuery>;

export function page<Item>(items: Item[], query: PageQuery) {
  const slice = items.slice(query.offset, query.offset + query.limit);
  const next = query.offset + slice.length;
  return { items: slice, total: items.length, nextOffset: next < items.length ? next : null };
}

/** One page read in SQL (`limit`/`offset` from the query, `total` from a count) in the page shape. */
export function pageResult<Item>(items: Item[], total: number, query: PageQuery) {
  const next = query.offset + items.length;
  return { items, total, nextOffset: next < total ? next : null };
}

/** A page whose items are already a JSON array text (read and serialized in SQL), in the page shape. */
export function pageText(items: string, total: number, query: PageQuery): JsonText {
  const next = query.offset + Math.max(0, Math.min(query.limit, total - query.offset));
  return new JsonText(`{"items":${items},"total":${total},"nextOffset":${next < total ? next : null}}`);
}

export function pageOf<Item extends z.ZodType>(item: Item) {
  return z.object({ items: z.array(item), total: z.number().int(), nextOffset: z.number().int().nullable() });
}
