import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../platform/clock.js';
import { loadStylesheet } from './assets.js';
import { type FeedContext, renderAtom, renderJsonFeed, renderRss } from './feeds.js';
import { renderNotFoundPage } from './pages.js';
import { sendPage } from './public.routes.js';
import { type PublishedCache, type PublishedSite, type RenderedPage, renderPage } from './published-cache.js';
import { renderSecurityTxt } from './security-txt.js';

const feeds = {
  'updates.rss': { render: renderRss, contentType: 'application/rss+xml; charset=utf-8' },
  'updates.atom': { render: renderAtom, contentType: 'application/atom+xml; charset=utf-8' },
  'updates.json': { render: renderJsonFeed, contentType: 'application/feed+json; charset=utf-8' },
} as const;
type FeedName = keyof typeof feeds;

const WEEK_MS = 7 * 86_400_000;

/**
 * The updates feeds (RSS, Atom, JSON Feed) and security.txt, on /t/:slug/… and at the root of a
 * tenant's custom domain. Like the pages they are rendered once per published version and served
 * from memory; they need the site's absolute origin, which the page renderers do not.
 */
export async function registerFeedRoutes(
  app: FastifyInstance,
  { cache, publicUrl, clock }: { cache: PublishedCache; publicUrl: string; clock: Clock },
) {
  const platformOrigin = new URL(publicUrl).origin;
  const notFound = renderPage(
    0,
    renderNotFoundPage({ stylesheetHref: loadStylesheet().href }),
    'text/html; charset=utf-8',
  );

  function originOf(site: PublishedSite, basePath: string): string {
    return basePath === '' && site.tenant.customDomain
      ? `https://${site.tenant.customDomain}`
      : platformOrigin;
  }

  function feed(site: PublishedSite | null, name: FeedName, basePath: string): RenderedPage | null {
    if (!site) return null;
    const { render, contentType } = feeds[name];
    const ctx: FeedContext = {
      snapshot: site.snapshot,
      basePath,
      stylesheetHref: loadStylesheet().href,
      origin: originOf(site, basePath),
      failing: site.failing,
      hostChecks: site.hostChecks,
    };
    return site.page(`${basePath}|${name}`, () => ({ body: render(ctx), contentType }));
  }

  function securityTxt(site: PublishedSite | null, basePath: string): RenderedPage | null {
    if (!site) return null;
    const now = clock();
    // Keyed by week so that a long-lived process keeps the Expires date well ahead.
    const week = Math.floor(now.getTime() / WEEK_MS);
    const canonical = `${originOf(site, basePath)}${basePath}/.well-known/security.txt`;
    const page = site.page(`${basePath}|security.txt|${week}`, () => ({
      body: renderSecurityTxt(site.snapshot, canonical, now) ?? '',
      contentType: 'text/plain; charset=utf-8',
    }));
    return page.identity.length > 0 ? page : null;
  }

  function answer(request: FastifyRequest, reply: FastifyReply, page: RenderedPage | null) {
    return page ? sendPage(request, reply, page) : sendPage(request, reply, notFound, 404);
  }

  /** The site for /t/:slug, unless this request came to a custom domain (which serves only its root). */
  async function slugSite(request: FastifyRequest<{ Params: { slug: string } }>) {
    if (await cache.byHost(request.hostname)) return null;
    return cache.bySlug(request.params.slug);
  }

  for (const name of Object.keys(feeds) as FeedName[]) {
    app.get<{ Params: { slug: string } }>(`/t/:slug/${name}`, async (request, reply) =>
      answer(request, reply, feed(await slugSite(request), name, `/t/${request.params.slug}`)),
    );
    app.get(`/${name}`, async (request, reply) =>
      answer(request, reply, feed(await cache.byHost(request.hostname), name, '')),
    );
  }
  app.get<{ Params: { slug: string } }>('/t/:slug/.well-known/security.txt', async (request, reply) =>
    answer(request, reply, securityTxt(await slugSite(request), `/t/${request.params.slug}`)),
  );
  app.get('/.well-known/security.txt', async (request, reply) =>
    answer(request, reply, securityTxt(await cache.byHost(request.hostname), '')),
  );
}
