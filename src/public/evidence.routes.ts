import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { matchesEtag } from '../platform/http/negotiation.js';
import type { Services } from '../services.js';
import { loadStylesheet } from './assets.js';
import { evidenceJson, renderEvidenceMarkdown } from './evidence-views.js';
import { renderEvidencePage } from './pages/evidence-page.js';
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
 * The live evidence page, /t/:slug/evidence(.json|.md) and /evidence(.json|.md) on a custom domain.
 * Unlike the other public pages it is not part of the snapshot: it is rendered on each request
 * from the latest results (one small query), which visitors and proxies may keep for a minute.
 * Which checks appear is still decided by what was published: the checks the controls name.
 */
export async function registerEvidencePublicRoutes(
  app: FastifyInstance,
  { cache, services }: { cache: PublishedCache; services: Pick<Services, 'evidence'> },
) {
  async function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    site: PublishedSite | null,
    format: Format,
    basePath: string,
  ) {
    if (!site) return sendPage(request, reply, publicNotFoundPage(), 404);
    const list = await services.evidence.latestPublic(site.tenant.id, site.snapshot.content);
    const ctx = {
      snapshot: site.snapshot,
      basePath,
      stylesheetHref: loadStylesheet().href,
      closing: site.tenant.status !== 'active',
    };
    const body =
      format === 'html'
        ? renderEvidencePage(ctx, list)
        : format === 'json'
          ? evidenceJson(list)
          : renderEvidenceMarkdown(ctx, list);
    const etag = `"evidence-${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    reply.header('cache-control', 'public, max-age=60').header('etag', etag);
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.code(200).header('content-type', contentTypes[format]).send(body);
  }

  for (const format of Object.keys(suffixes) as Format[]) {
    const name = `evidence${suffixes[format]}`;
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
