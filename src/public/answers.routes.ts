import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../platform/errors.js';
import type { FormRateLimiter } from '../platform/http/form-rate-limit.js';
import { truncateAddress } from '../platform/logging/logger.js';
import type { Services } from '../services.js';
import { loadStylesheet } from './assets.js';
import { MAX_SEARCH_LENGTH, renderAnswersPage } from './pages/answers-page.js';
import { renderNotFoundPage } from './pages/not-found-page.js';
import type { PublishedCache } from './published-cache.js';
import { createVisitorResolver, sendHtml } from './visitor-request.js';

const HOUR_MS = 3_600_000;
/** Searches per client network and per trust center: enough for a reviewer, not for a scraper. */
export const SEARCHES_PER_NETWORK = { limit: 120, windowMs: HOUR_MS };
const SEARCHES_PER_TENANT = { limit: 5000, windowMs: HOUR_MS };

const searchQuery = z.object({
  q: z
    .string()
    .max(MAX_SEARCH_LENGTH)
    .regex(/^[^\p{Cc}]*$/u)
    .transform((value) => value.trim())
    .optional(),
});

/**
 * The public "Search our answers" page at /t/:slug/answers (and /answers on custom domains):
 * server-rendered, no JavaScript. It ranks only the published snapshot (public knowledge-base
 * entries, controls and FAQ), so NDA-only and internal entries, which never enter a snapshot,
 * cannot be found. Each search is rate-limited in the database, per client network and tenant.
 */
export async function registerAnswersPublicRoutes(
  app: FastifyInstance,
  {
    cache,
    services,
    limiter,
  }: { cache: PublishedCache; services: Pick<Services, 'answers'>; limiter: FormRateLimiter },
) {
  const resolve = createVisitorResolver(cache);
  const notFoundPage = renderNotFoundPage({ stylesheetHref: loadStylesheet().href });
  const client = (request: FastifyRequest) => `net:${truncateAddress(request.ip) ?? 'unknown'}`;

  async function search(request: FastifyRequest, reply: FastifyReply, slug: string | null) {
    const resolved = await resolve(request, slug);
    if (!resolved) return sendHtml(reply, 404, notFoundPage);
    const { ctx, service, site } = resolved;
    const parsed = searchQuery.safeParse(request.query);
    if (!parsed.success) {
      return sendHtml(
        reply,
        400,
        renderAnswersPage(ctx, '', null, `Enter a question of at most ${MAX_SEARCH_LENGTH} characters.`),
      );
    }
    const query = parsed.data.q ?? '';
    if (!query) return sendHtml(reply, 200, renderAnswersPage(ctx, '', null));
    try {
      await limiter.consume([
        { key: `answers:${client(request)}`, ...SEARCHES_PER_NETWORK },
        { key: `answers:tenant:${service.tenantId}`, ...SEARCHES_PER_TENANT },
      ]);
    } catch (error) {
      if (error instanceof AppError && error.status === 429)
        return sendHtml(reply, 429, renderAnswersPage(ctx, query, null, error.message));
      throw error;
    }
    const results = await services.answers.searchPublished(service, site.snapshot.content, query);
    return sendHtml(reply, 200, renderAnswersPage(ctx, query, results));
  }

  app.get<{ Params: { slug: string } }>('/t/:slug/answers', (request, reply) =>
    search(request, reply, request.params.slug),
  );
  app.get('/answers', (request, reply) => search(request, reply, null));
}
