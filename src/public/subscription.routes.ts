import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { subscribeInput } from '../modules/subscribers/subscribers.contract.js';
import { AppError } from '../platform/errors.js';
import type { FormRateLimiter } from '../platform/http/form-rate-limit.js';
import { assertSameOrigin } from '../platform/http/origin-check.js';
import { truncateAddress } from '../platform/logging/logger.js';
import type { Services } from '../services.js';
import { loadStylesheet } from './assets.js';
import { renderNotFoundPage } from './pages/not-found-page.js';
import {
  renderConfirmedPage,
  renderConfirmPage,
  renderFormProblemPage,
  renderSubscribePage,
  renderSubscribeSentPage,
  renderUnsubscribedPage,
  renderUnsubscribePage,
} from './pages/subscription-pages.js';
import type { PublishedCache } from './published-cache.js';
import {
  assertTakesRequests,
  createVisitorResolver,
  sendHtml,
  type VisitorRequest,
} from './visitor-request.js';

const HOUR_MS = 3_600_000;
/** Subscribe requests per client network and per tenant; link steps (confirm, unsubscribe) per network. */
const SUBSCRIBE_PER_NETWORK = { limit: 10, windowMs: HOUR_MS };
const SUBSCRIBE_PER_TENANT = { limit: 300, windowMs: HOUR_MS };
const LINKS_PER_NETWORK = { limit: 60, windowMs: HOUR_MS };
const FORM_BODY_LIMIT = 4096;

const subscribeForm = z.object({
  email: z.string().max(254),
  topics: z
    .union([z.string().max(20), z.array(z.string().max(20)).max(3)])
    .transform((value) => (Array.isArray(value) ? value : [value])),
});
const tokenForm = z.object({ token: z.string().min(20).max(100) });
const linkQuery = z.object({ id: z.string().max(40), token: z.string().max(100) });

/**
 * The public subscription forms (server-rendered, no JavaScript): subscribe, confirm (double
 * opt-in) and unsubscribe, including RFC 8058 one-click unsubscribe by POST without sign-in.
 * Subscribe and confirm must come from this site (Origin or Sec-Fetch-Site); one-click
 * unsubscribe comes from mail providers and is authorized by its link alone. Every form is
 * rate-limited in the database, per client network and per tenant.
 */
export async function registerSubscriptionRoutes(
  app: FastifyInstance,
  {
    cache,
    services,
    limiter,
    publicUrl,
  }: {
    cache: PublishedCache;
    services: Pick<Services, 'subscribers'>;
    limiter: FormRateLimiter;
    publicUrl: string;
  },
) {
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
  const allowedOrigins = new Set([new URL(publicUrl).origin]);
  const stylesheetHref = loadStylesheet().href;
  const notFoundPage = renderNotFoundPage({ stylesheetHref });

  type Resolved = VisitorRequest;

  const resolve = createVisitorResolver(cache);

  const html = sendHtml;

  /** Problems become an HTML page with the right status (a form has no JSON reader). */
  function problem(reply: FastifyReply, resolved: Resolved, error: unknown, form: boolean) {
    if (error instanceof z.ZodError && !form) {
      return html(
        reply,
        400,
        renderFormProblemPage(resolved.ctx, 'Link not valid', 'This link is incomplete or damaged.'),
      );
    }
    if (error instanceof z.ZodError) {
      return html(
        reply,
        400,
        renderSubscribePage(resolved.ctx, 'Enter a valid e-mail address and choose at least one topic.'),
      );
    }
    if (error instanceof AppError) {
      const title =
        error.status === 429 ? 'Too many requests' : error.status === 404 ? 'Link not valid' : 'Not accepted';
      return html(reply, error.status, renderFormProblemPage(resolved.ctx, title, error.message));
    }
    throw error;
  }

  const client = (request: FastifyRequest) => `net:${truncateAddress(request.ip) ?? 'unknown'}`;

  type Handler = (request: FastifyRequest, reply: FastifyReply, resolved: Resolved) => Promise<unknown>;
  /** Registers a handler at /t/:slug/<path> and at /<path> on custom domains. */
  function both(method: 'GET' | 'POST', path: string, handler: Handler) {
    const run = async (request: FastifyRequest, reply: FastifyReply, slug: string | null) => {
      const resolved = await resolve(request, slug);
      // The same page as any unknown public address: nothing says whether the tenant exists.
      if (!resolved) return html(reply, 404, notFoundPage);
      try {
        return await handler(request, reply, resolved);
      } catch (error) {
        return problem(reply, resolved, error, path === 'subscribe');
      }
    };
    const options = { bodyLimit: FORM_BODY_LIMIT };
    app.route<{ Params: { slug: string } }>({
      method,
      url: `/t/:slug/${path}`,
      ...options,
      handler: (request, reply) => run(request, reply, request.params.slug),
    });
    app.route({
      method,
      url: `/${path}`,
      ...options,
      handler: (request, reply) => run(request, reply, null),
    });
  }

  both('GET', 'subscribe', async (_request, reply, { ctx }) => html(reply, 200, renderSubscribePage(ctx)));

  both('POST', 'subscribe', async (request, reply, { site, ctx, service }) => {
    assertSameOrigin(request, allowedOrigins);
    assertTakesRequests(site);
    await limiter.consume([
      { key: `subscribe:${client(request)}`, ...SUBSCRIBE_PER_NETWORK },
      { key: `subscribe:tenant:${service.tenantId}`, ...SUBSCRIBE_PER_TENANT },
    ]);
    const form = subscribeForm.parse(request.body);
    await services.subscribers.subscribe(service, subscribeInput.parse(form));
    // Post/redirect/get: a reload does not send the form again. The answer never says whether
    // the address was subscribed already.
    return reply.code(303).header('location', `${ctx.basePath}/subscribe/sent`).send();
  });

  both('GET', 'subscribe/sent', async (_request, reply, { ctx }) =>
    html(reply, 200, renderSubscribeSentPage(ctx)),
  );

  both('GET', 'subscribe/confirm', async (request, reply, { ctx }) => {
    const { token } = tokenForm.parse(request.query);
    return html(reply, 200, renderConfirmPage(ctx, token));
  });

  both('POST', 'subscribe/confirm', async (request, reply, { ctx, service }) => {
    assertSameOrigin(request, allowedOrigins);
    await limiter.consume([{ key: `links:${client(request)}`, ...LINKS_PER_NETWORK }]);
    const { token } = tokenForm.parse(request.body);
    await services.subscribers.confirm(service, token);
    return html(reply, 200, renderConfirmedPage(ctx));
  });

  both('GET', 'unsubscribe', async (request, reply, { ctx }) => {
    const { id, token } = linkQuery.parse(request.query);
    return html(reply, 200, renderUnsubscribePage(ctx, id, token));
  });

  // RFC 8058: the mail provider POSTs "List-Unsubscribe=One-Click" to the List-Unsubscribe URL.
  both('POST', 'unsubscribe', async (request, reply, { ctx, service }) => {
    await limiter.consume([{ key: `links:${client(request)}`, ...LINKS_PER_NETWORK }]);
    const { id, token } = linkQuery.parse(request.query);
    await services.subscribers.unsubscribe(service, id, token);
    return html(reply, 200, renderUnsubscribedPage(ctx));
  });
}
