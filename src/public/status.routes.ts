import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { matchesEtag } from '../platform/http/negotiation.js';
import type { Services } from '../services.js';
import { loadStylesheet } from './assets.js';
import { renderStatusMarkdown, renderStatusPage } from './pages/status-page.js';
import { publicNotFoundPage, sendPage } from './public.routes.js';
import type { PublishedCache, PublishedSite } from './published-cache.js';

type Format = 'html' | 'json' | 'md';

const contentTypes: Record<Format, string> = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};
const suffixes: Record<Format, string> = { html: '', json: '.json', md: '.md' };

/**
 * The status section, /t/:slug/status(.json|.md) and /status(.json|.md) on a custom domain: the
 * tenant's uptime checks by name with their 30- and 90-day availability. Like the evidence page it
 * is read on each request (one small query) and may be kept for a minute; only a published trust
 * center has one. Names only: the probed URLs stay in the console.
 */
export async function registerStatusPublicRoutes(
  app: FastifyInstance,
  { cache, services }: { cache: PublishedCache; services: Pick<Services, 'hostChecks'> },
) {
  async function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    site: PublishedSite | null,
    format: Format,
    basePath: string,
  ) {
    if (!site) return sendPage(request, reply, publicNotFoundPage(), 404);
    const titles = new Map(
      site.snapshot.content.categories.flatMap((category) =>
        category.controls.map((control) => [control.key, control.title] as const),
      ),
    );
    const status = await services.hostChecks.publicStatus(site.tenant.id, titles);
    const ctx = {
      snapshot: site.snapshot,
      basePath,
      stylesheetHref: loadStylesheet().href,
      closing: site.tenant.status !== 'active',
    };
    const body =
      format === 'html'
        ? renderStatusPage(ctx, status)
        : format === 'json'
          ? JSON.stringify(status)
          : renderStatusMarkdown(ctx, status);
    const etag = `"status-${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    reply.header('cache-control', 'public, max-age=60').header('etag', etag);
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.code(200).header('content-type', contentTypes[format]).send(body);
  }

  for (const format of Object.keys(suffixes) as Format[]) {
    const name = `status${suffixes[format]}`;
    app.get<{ Params: { slug: string } }>(`/t/:slug/${name}`, async (request, reply) => {
      // A custom domain serves only its own root; /t/… is not served there.
      const site = (await cache.byHost(request.hostname)) ? null : await cache.bySlug(request.params.slug);
      return answer(request, reply, site, format, `/t/${request.params.slug}`);
    });
    app.get(`/${name}`, async (request, reply) =>
      answer(request, reply, await cache.byHost(request.hostname), format, ''),
    );
  }
}
