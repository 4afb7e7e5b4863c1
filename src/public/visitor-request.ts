import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceContext, visitorContext } from '../platform/auth/context.js';
import { AppError } from '../platform/errors.js';
import { bindTenantToLog } from '../platform/http/server.js';
import { truncateAddress } from '../platform/logging/logger.js';
import { loadStylesheet } from './assets.js';
import type { PageContext } from './pages/layout.js';
import type { PublishedCache, PublishedSite } from './published-cache.js';

/** A visitor's request on a published trust center: the site, its page context, a visitor context. */
export interface VisitorRequest {
  site: PublishedSite;
  ctx: PageContext;
  service: ServiceContext;
}

/**
 * A closing trust center is read-only: it takes no new subscriptions or access requests (reading,
 * confirming and unsubscribing, and downloads under existing grants go on until it is deleted).
 */
export function assertTakesRequests(site: PublishedSite): void {
  if (site.tenant.status !== 'active') throw new AppError('tenant.read_only');
}

/**
 * Resolves the trust center a public form or visitor page belongs to: by slug on the platform's
 * host, or by Host on a tenant's custom domain (where /t/ pages are not served). Null means 404.
 */
export function createVisitorResolver(cache: PublishedCache) {
  const stylesheetHref = loadStylesheet().href;
  return async function resolveVisitor(
    request: FastifyRequest,
    slug: string | null,
  ): Promise<VisitorRequest | null> {
    const domainSite = await cache.byHost(request.hostname);
    const site = slug === null ? domainSite : domainSite ? null : await cache.bySlug(slug);
    if (!site) return null;
    bindTenantToLog(request, site.tenant.id);
    const visitor = visitorContext(site.tenant.id);
    return {
      site,
      ctx: {
        snapshot: site.snapshot,
        basePath: slug === null ? '' : `/t/${slug}`,
        stylesheetHref,
        closing: site.tenant.status !== 'active',
      },
      service: new ServiceContext(
        site.tenant.id,
        visitor.actor,
        visitor.permissions,
        truncateAddress(request.ip) ?? null,
      ),
    };
  };
}

/** An HTML answer that no cache keeps (forms and visitor pages are personal). */
export function sendHtml(reply: FastifyReply, status: number, body: string) {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(body);
}
