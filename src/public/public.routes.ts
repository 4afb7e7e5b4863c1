import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Clock, systemClock } from '../platform/clock.js';
import { matchesEtag, pickEncoding } from '../platform/http/negotiation.js';
import { bindTenantToLog } from '../platform/http/server.js';
import { loadStylesheet } from './assets.js';
import { documentsJson, renderDocumentsMarkdown } from './documents-views.js';
import { faqJson, overviewJson, securityJson, subprocessorsJson } from './json-views.js';
import {
  renderFaqMarkdown,
  renderOverviewMarkdown,
  renderSecurityMarkdown,
  renderSubprocessorsMarkdown,
  renderUpdatesMarkdown,
} from './markdown.js';
import { certificationDayKey } from './pages/certification-badges.js';
import {
  type PageContext,
  renderDocumentsPage,
  renderFaqPage,
  renderNotFoundPage,
  renderOverviewPage,
  renderSecurityPage,
  renderSubprocessorsPage,
  renderUpdatesPage,
} from './pages.js';
import { type PublishedCache, type PublishedSite, type RenderedPage, renderPage } from './published-cache.js';

type Format = 'html' | 'json' | 'md';

const contentTypes: Record<Format, string> = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};

/** The updates' JSON is a JSON Feed with absolute URLs, served by feed.routes.ts with RSS and Atom. */
const renderers: Record<string, Partial<Record<Format, (ctx: PageContext) => string>>> = {
  overview: {
    html: renderOverviewPage,
    json: (ctx) => JSON.stringify(overviewJson(ctx), null, 2),
    md: renderOverviewMarkdown,
  },
  security: {
    html: renderSecurityPage,
    json: (ctx) => JSON.stringify(securityJson(ctx), null, 2),
    md: renderSecurityMarkdown,
  },
  documents: {
    html: (ctx) => renderDocumentsPage(ctx),
    json: (ctx) => JSON.stringify(documentsJson(ctx), null, 2),
    md: renderDocumentsMarkdown,
  },
  subprocessors: {
    html: renderSubprocessorsPage,
    json: (ctx) => JSON.stringify(subprocessorsJson(ctx), null, 2),
    md: renderSubprocessorsMarkdown,
  },
  faq: {
    html: renderFaqPage,
    json: (ctx) => JSON.stringify(faqJson(ctx), null, 2),
    md: renderFaqMarkdown,
  },
  updates: {
    html: renderUpdatesPage,
    md: renderUpdatesMarkdown,
  },
};

const PAGE = /^(overview|security|documents|subprocessors|faq|updates)(?:\.(json|md))?$/;

function parsePage(name: string): { page: string; format: Format } | null {
  const match = PAGE.exec(name);
  if (!match?.[1]) return null;
  return { page: match[1], format: (match[2] as Format | undefined) ?? 'html' };
}

/** Picks the best encoding the client accepts (respecting q=0), preferring brotli. */
let stylesheetHref: string | undefined;

/**
 * The rendered page `pageName` (e.g. `security.json`) of a published site, or null when there is
 * no such page. Rendered once per published version; used by the routes below and the fast path.
 */
export function publicPageOf(
  site: PublishedSite,
  pageName: string,
  basePath: string,
  now: Date = new Date(),
): RenderedPage | null {
  const parsed = parsePage(pageName);
  const render = parsed ? renderers[parsed.page]?.[parsed.format] : undefined;
  if (!parsed || !render) return null;
  stylesheetHref ??= loadStylesheet().href;
  const href = stylesheetHref;
  // A certification badge expires by the day: the page is kept per day-state of the badges.
  const today = now.toISOString().slice(0, 10);
  const dayKey = certificationDayKey(site.snapshot.content, today);
  return site.page(`${basePath}|${pageName}${dayKey ? `|${dayKey}` : ''}`, () => ({
    body: render({
      snapshot: site.snapshot,
      basePath,
      stylesheetHref: href,
      closing: site.tenant.status !== 'active',
      failing: site.failing,
      hostChecks: site.hostChecks,
      today,
    }),
    contentType: contentTypes[parsed.format],
  }));
}

/**
 * A published page may be stored anywhere but is checked with its ETag before every use, so a
 * publish shows at once (the same as `public, max-age=0, must-revalidate`, in a quarter the bytes).
 */
export const PAGE_CACHE_CONTROL = 'no-cache';

export function sendPage(request: FastifyRequest, reply: FastifyReply, page: RenderedPage, status = 200) {
  const encoding = pickEncoding(request.headers['accept-encoding']);
  const etag = encoding === 'identity' ? page.etag : `${page.etag.slice(0, -1)}-${encoding}"`;
  reply.header('vary', 'Accept-Encoding').header('cache-control', PAGE_CACHE_CONTROL).header('etag', etag);
  if (status === 200 && matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
  reply.code(status).header('content-type', page.contentType);
  if (encoding === 'identity') return reply.send(page.identity);
  return reply.header('content-encoding', encoding).send(encoding === 'br' ? page.brotli : page.gzip);
}

let notFoundPage: RenderedPage | undefined;

/** The public 404 page: the same for anything unknown, whatever it was (rendered once). */
export function publicNotFoundPage(): RenderedPage {
  notFoundPage ??= renderPage(
    0,
    renderNotFoundPage({ stylesheetHref: loadStylesheet().href }),
    contentTypes.html,
  );
  return notFoundPage;
}

/**
 * The public trust center: /t/:slug/… on the platform's own host, and the same pages at the root
 * of a tenant's custom domain. Everything is rendered from the latest published snapshot and
 * served from memory; a request for anything unknown gets the same 404 page, whatever it was.
 */
export async function registerPublicRoutes(
  app: FastifyInstance,
  { cache, clock = systemClock }: { cache: PublishedCache; clock?: Clock },
) {
  const stylesheet = loadStylesheet();
  const notFound = publicNotFoundPage();
  const stylesheetPage: RenderedPage = renderPage(
    0,
    stylesheet.body.toString('utf8'),
    'text/css; charset=utf-8',
  );

  function serve(
    request: FastifyRequest,
    reply: FastifyReply,
    site: PublishedSite | null,
    pageName: string,
    basePath: string,
  ) {
    if (site) bindTenantToLog(request, site.tenant.id);
    const page = site ? publicPageOf(site, pageName, basePath, clock()) : null;
    return page ? sendPage(request, reply, page) : sendPage(request, reply, notFound, 404);
  }

  /** A tenant's custom domain shows only that tenant, at the root; /t/… is not served there. */
  function customDomainSite(request: FastifyRequest) {
    return cache.byHost(request.hostname);
  }

  app.get(stylesheet.href, (request, reply) => {
    reply.header('cache-control', 'public, max-age=31536000, immutable');
    return sendPage(request, reply, stylesheetPage);
  });

  app.get<{ Params: { slug: string } }>('/t/:slug', async (request, reply) => {
    if (await customDomainSite(request)) return sendPage(request, reply, notFound, 404);
    return serve(
      request,
      reply,
      await cache.bySlug(request.params.slug),
      'overview',
      `/t/${request.params.slug}`,
    );
  });

  app.get<{ Params: { slug: string; page: string } }>('/t/:slug/:page', async (request, reply) => {
    if (await customDomainSite(request)) return sendPage(request, reply, notFound, 404);
    const { slug, page } = request.params;
    return serve(request, reply, await cache.bySlug(slug), page, `/t/${slug}`);
  });

  app.get('/', async (request, reply) => {
    const site = await customDomainSite(request);
    if (site) return serve(request, reply, site, 'overview', '');
    return sendPage(request, reply, notFound, 404);
  });

  app.get<{ Params: { page: string } }>('/:page', async (request, reply) => {
    return serve(request, reply, await customDomainSite(request), request.params.page, '');
  });
}
