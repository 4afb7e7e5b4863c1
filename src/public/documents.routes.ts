import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { accessRequestForm } from '../modules/documents/access.contract.js';
import { contentDisposition } from '../modules/documents/upload-checks.js';
import { WatermarkFailedError } from '../modules/documents/visitor-downloads.service.js';
import { newLinkForm } from '../modules/documents/visitor-links.service.js';
import { AppError } from '../platform/errors.js';
import type { FormRateLimiter } from '../platform/http/form-rate-limit.js';
import { assertSameOrigin } from '../platform/http/origin-check.js';
import { truncateAddress } from '../platform/logging/logger.js';
import type { Services } from '../services.js';
import {
  renderAccessRequiredPage,
  renderLinkInvalidPage,
  renderNewLinkPage,
  renderNewLinkSentPage,
  renderOpenLinkPage,
  renderRequestReceivedPage,
  renderSharedDocumentsPage,
  renderVisitorProblemPage,
} from './pages/access-pages.js';
import { type AccessFormState, renderDocumentsPage } from './pages/documents-page.js';
import type { PublishedCache } from './published-cache.js';
import {
  assertTakesRequests,
  createVisitorResolver,
  sendHtml,
  type VisitorRequest,
} from './visitor-request.js';
import '../modules/documents/documents.errors.js';

/** The visitor session cookie; `__Host-` binds it to this origin (Secure, Path=/, no Domain). */
export const VISITOR_COOKIE = '__Host-attest_visitor';

const HOUR_MS = 3_600_000;
const REQUESTS_PER_NETWORK = { limit: 10, windowMs: HOUR_MS };
const REQUESTS_PER_TENANT = { limit: 300, windowMs: HOUR_MS };
const LINKS_PER_NETWORK = { limit: 60, windowMs: HOUR_MS };
const NEW_LINKS_PER_NETWORK = { limit: 10, windowMs: HOUR_MS };
const NEW_LINKS_PER_TENANT = { limit: 300, windowMs: HOUR_MS };
const FORM_BODY_LIMIT = 16 * 1024;

/** A browser form, nothing else: JSON and multipart have no business on these routes. */
function assertBrowserForm(request: FastifyRequest): void {
  if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    throw new AppError('request.unsupported_media_type');
  }
}

const tokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });
const documentParam = z.object({ id: z.uuid() });

/**
 * The visitor's side of documents (server-rendered, no JavaScript): the access request form, the
 * single-use link from the approval mail (a page with a button: mail scanners follow links), the
 * visitor's shared documents, and downloads. Every POST must come from this site; the form and the
 * links are rate-limited per client network (and the form per tenant) in the database.
 */
export async function registerDocumentsPublicRoutes(
  app: FastifyInstance,
  {
    cache,
    services,
    limiter,
    publicUrl,
  }: {
    cache: PublishedCache;
    services: Pick<Services, 'accessRequests' | 'grants' | 'visitorDownloads' | 'visitorLinks'>;
    limiter: FormRateLimiter;
    publicUrl: string;
  },
) {
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
  await app.register(cookie);
  const allowedOrigins = new Set([new URL(publicUrl).origin]);

  type Resolved = VisitorRequest;

  const resolve = createVisitorResolver(cache);

  const html = sendHtml;

  const client = (request: FastifyRequest) => `net:${truncateAddress(request.ip) ?? 'unknown'}`;

  /** What the visitor typed, to show the form again (bounded: it is echoed into the page). */
  function formState(body: unknown, problem: string): AccessFormState {
    const values = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const text = (key: string, max: number) =>
      typeof values[key] === 'string' ? (values[key] as string).slice(0, max) : undefined;
    const ids = values.documentId;
    const documentIds = (Array.isArray(ids) ? ids : typeof ids === 'string' ? [ids] : [])
      .filter((id): id is string => typeof id === 'string')
      .slice(0, 200);
    return {
      problem,
      values: {
        ...(text('name', 200) !== undefined ? { name: text('name', 200) } : {}),
        ...(text('email', 254) !== undefined ? { email: text('email', 254) } : {}),
        ...(text('company', 200) !== undefined ? { company: text('company', 200) } : {}),
        ...(text('reason', 2000) !== undefined ? { reason: text('reason', 2000) } : {}),
        documentIds,
      },
    };
  }

  type Params = Record<string, string>;
  type Handler = (
    request: FastifyRequest,
    reply: FastifyReply,
    resolved: Resolved,
    params: Params,
  ) => Promise<unknown>;

  /** Registers a handler at /t/:slug/<path> and at /<path> on custom domains. */
  function both(method: 'GET' | 'POST', path: string, handler: Handler) {
    const run = async (request: FastifyRequest, reply: FastifyReply, slug: string | null) => {
      const resolved = await resolve(request, slug);
      if (!resolved) throw new AppError('route.not_found');
      const params = request.params as Params;
      try {
        return await handler(request, reply, resolved, params);
      } catch (error) {
        if (error instanceof z.ZodError) throw new AppError('route.not_found');
        if (!(error instanceof AppError)) throw error;
        const { ctx } = resolved;
        if (error.code === 'visitor.access_required') return html(reply, 403, renderAccessRequiredPage(ctx));
        if (error.code === 'grant.link_invalid') return html(reply, 404, renderLinkInvalidPage(ctx));
        const title =
          error.status === 429
            ? 'Too many requests'
            : error.status === 404
              ? 'Not found'
              : error.status >= 500
                ? 'Not available'
                : 'Not accepted';
        return html(reply, error.status, renderVisitorProblemPage(ctx, title, error.message));
      }
    };
    const options = { bodyLimit: FORM_BODY_LIMIT, exposeHeadRoute: false };
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

  both('POST', 'access-requests', async (request, reply, { site, ctx, service }) => {
    assertSameOrigin(request, allowedOrigins);
    assertTakesRequests(site);
    assertBrowserForm(request);
    await limiter.consume([
      { key: `access:${client(request)}`, ...REQUESTS_PER_NETWORK },
      { key: `access:tenant:${service.tenantId}`, ...REQUESTS_PER_TENANT },
    ]);
    const parsed = accessRequestForm.safeParse(request.body);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? 'form')))];
      const problem = `Check these fields: ${fields.join(', ')}.`;
      return html(reply, 400, renderDocumentsPage(ctx, formState(request.body, problem)));
    }
    try {
      await services.accessRequests.submit(
        service,
        { documents: site.snapshot.content.documents ?? [], nda: site.snapshot.content.nda },
        request.body,
      );
    } catch (error) {
      if (!(error instanceof AppError) || !error.code.startsWith('access_request.')) throw error;
      const detail = error.details[0]?.message;
      return html(
        reply,
        error.status,
        renderDocumentsPage(ctx, formState(request.body, detail ?? error.message)),
      );
    }
    // Post/redirect/get; the same answer whatever the rules decided.
    return reply.code(303).header('location', `${ctx.basePath}/access-requests/received`).send();
  });

  both('GET', 'access-requests/received', async (_request, reply, { ctx }) =>
    html(reply, 200, renderRequestReceivedPage(ctx)),
  );

  both('GET', 'access/new-link', async (_request, reply, { ctx }) =>
    html(reply, 200, renderNewLinkPage(ctx)),
  );

  both('POST', 'access/new-link', async (request, reply, { ctx, service }) => {
    assertSameOrigin(request, allowedOrigins);
    assertBrowserForm(request);
    const parsed = newLinkForm.safeParse(request.body);
    const typed = (request.body as Record<string, unknown> | undefined)?.email;
    if (!parsed.success) {
      const email = typeof typed === 'string' ? typed.slice(0, 254) : '';
      return html(
        reply,
        400,
        renderNewLinkPage(ctx, { message: 'Enter the e-mail address your access was approved for.', email }),
      );
    }
    await limiter.consume([
      { key: `new-link:${client(request)}`, ...NEW_LINKS_PER_NETWORK },
      { key: `new-link:tenant:${service.tenantId}`, ...NEW_LINKS_PER_TENANT },
    ]);
    services.visitorLinks.requestNewLinks(service, parsed.data, (error) =>
      request.log.warn({ err: { type: (error as Error).name } }, 'sending new visitor links failed'),
    );
    // Post/redirect/get; the same answer whether or not the address has access.
    return reply.code(303).header('location', `${ctx.basePath}/access/new-link/sent`).send();
  });

  both('GET', 'access/new-link/sent', async (_request, reply, { ctx }) =>
    html(reply, 200, renderNewLinkSentPage(ctx)),
  );

  both('GET', 'access/:token', async (request, reply, { ctx, service }, params) => {
    await limiter.consume([{ key: `access-links:${client(request)}`, ...LINKS_PER_NETWORK }]);
    const { token } = tokenParam.parse(params);
    if (!(await services.grants.linkIsValid(service.tenantId, token)))
      throw new AppError('grant.link_invalid');
    return html(reply, 200, renderOpenLinkPage(ctx, token));
  });

  both('POST', 'access/:token', async (request, reply, { ctx, service }, params) => {
    assertSameOrigin(request, allowedOrigins);
    await limiter.consume([{ key: `access-links:${client(request)}`, ...LINKS_PER_NETWORK }]);
    const { token } = tokenParam.parse(params);
    const session = await services.grants.openLink(service.tenantId, token, service.client);
    reply.setCookie(VISITOR_COOKIE, session.cookie, {
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      path: '/',
      expires: session.expiresAt,
    });
    return reply.code(303).header('location', `${ctx.basePath}/documents/shared`).send();
  });

  both('GET', 'documents/shared', async (request, reply, { ctx, service }) => {
    const cookieValue = request.cookies[VISITOR_COOKIE];
    const access = await services.grants.resolveVisitor(service.tenantId, cookieValue);
    if (!access || !cookieValue) throw new AppError('visitor.access_required');
    // The cookie was set to end with the grant; a grant extended since then keeps it longer.
    reply.setCookie(VISITOR_COOKIE, cookieValue, {
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      path: '/',
      expires: access.expiresAt,
    });
    return html(reply, 200, renderSharedDocumentsPage(ctx, access));
  });

  both('POST', 'documents/sign-out', async (request, reply, { ctx, service }) => {
    assertSameOrigin(request, allowedOrigins);
    await services.grants.endVisitorSession(service.tenantId, request.cookies[VISITOR_COOKIE]);
    reply.clearCookie(VISITOR_COOKIE, { httpOnly: true, secure: true, sameSite: 'lax', path: '/' });
    return reply.code(303).header('location', `${ctx.basePath}/documents`).send();
  });

  both('GET', 'documents/:id/download', async (request, reply, { site, service }, params) => {
    const { id } = documentParam.parse(params);
    const document = site.snapshot.content.documents?.find((candidate) => candidate.id === id);
    if (!document) throw new AppError('document.not_found');
    const access =
      document.accessLevel === 'gated'
        ? await services.grants.resolveVisitor(service.tenantId, request.cookies[VISITOR_COOKIE])
        : null;
    const file = await services.visitorDownloads.download(service, document, access).catch((error) => {
      if (error instanceof WatermarkFailedError) {
        request.log.error(
          { documentId: error.documentId, versionId: error.versionId, err: { type: error.reason } },
          'watermarking a gated document failed',
        );
      }
      throw error;
    });
    return reply
      .code(200)
      .header('content-type', file.mediaType)
      .header('content-disposition', contentDisposition(file.filename))
      .header(
        'cache-control',
        document.accessLevel === 'public' ? 'private, max-age=0, must-revalidate' : 'no-store',
      )
      .header('x-robots-tag', 'noindex')
      .send(file.bytes);
  });
}
