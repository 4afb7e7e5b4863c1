import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canonicalContent } from '../modules/trust/trust.service.js';
import { visitorContext } from '../platform/auth/context.js';
import { matchesEtag } from '../platform/http/negotiation.js';
import type { Services } from '../services.js';
import { publicNotFoundPage, sendPage } from './public.routes.js';
import type { PublishedCache, PublishedSite } from './published-cache.js';

/** `4.json`, `4.json.jws`, `jwks.json`, and `content/4.json`: nothing else is a file of /trust/. */
const TRUST_FILE = /^(?:([1-9]\d{0,8})\.json(\.jws)?|jwks\.json)$/;
const CONTENT_FILE = /^([1-9]\d{0,8})\.json$/;

const JSON_TYPE = 'application/json; charset=utf-8';
/** RFC 7515's media type for a compact JWS. */
const JWS_TYPE = 'application/jose';

/**
 * The signed trust center (decision 0029; docs/verifying-a-trust-center.md), at /t/:slug/… and at
 * the root of a tenant's custom domain:
 *
 *   trust.json, trust.json.jws          the current manifest and its signature (compact JWS)
 *   trust/N.json, trust/N.json.jws      manifest N, kept for good
 *   trust/jwks.json                     the tenant's public keys, retired ones included
 *   trust/content/V.json                the current snapshot's content in canonical JSON (RFC 8785),
 *                                       whose SHA-256 the manifest names; only the current version,
 *                                       as the public site shows only the current version
 *
 * Read from the database per request (small rows by primary key); the tenant is found through the
 * public cache, so unknown slugs and hosts cost no query. Anything unknown is the public 404 page.
 */
export async function registerTrustPublicRoutes(
  app: FastifyInstance,
  { cache, services }: { cache: PublishedCache; services: Pick<Services, 'trust'> },
) {
  const notFound = (request: FastifyRequest, reply: FastifyReply) =>
    sendPage(request, reply, publicNotFoundPage(), 404);

  function send(
    request: FastifyRequest,
    reply: FastifyReply,
    body: string,
    { type, etag, maxAge }: { type: string; etag: string; maxAge: number },
  ) {
    reply.header('cache-control', `public, max-age=${maxAge}`).header('etag', `"${etag}"`);
    reply.header('access-control-allow-origin', '*');
    if (matchesEtag(request.headers['if-none-match'], `"${etag}"`)) return reply.code(304).send();
    return reply.code(200).header('content-type', type).send(body);
  }

  async function current(
    request: FastifyRequest,
    reply: FastifyReply,
    site: PublishedSite | null,
    jws: boolean,
  ) {
    const manifest = site ? await services.trust.latest(visitorContext(site.tenant.id)) : null;
    if (!manifest) return notFound(request, reply);
    return send(request, reply, jws ? manifest.jws : manifest.manifest, {
      type: jws ? JWS_TYPE : JSON_TYPE,
      etag: `trust-${manifest.number}-${manifest.manifestSha256.slice(0, 16)}${jws ? '-jws' : ''}`,
      maxAge: 60,
    });
  }

  async function file(
    request: FastifyRequest,
    reply: FastifyReply,
    site: PublishedSite | null,
    name: string,
  ) {
    const match = TRUST_FILE.exec(name);
    if (!site || !match) return notFound(request, reply);
    const ctx = visitorContext(site.tenant.id);
    if (!match[1]) {
      const jwks = JSON.stringify(await services.trust.jwks(ctx), null, 2);
      return send(request, reply, jwks, {
        type: 'application/jwk-set+json; charset=utf-8',
        etag: `jwks-${createHash('sha256').update(jwks).digest('base64url').slice(0, 22)}`,
        maxAge: 300,
      });
    }
    const manifest = await services.trust.byNumber(ctx, Number(match[1]));
    if (!manifest) return notFound(request, reply);
    const jws = match[2] !== undefined;
    // A numbered manifest never changes.
    return send(request, reply, jws ? manifest.jws : manifest.manifest, {
      type: jws ? JWS_TYPE : JSON_TYPE,
      etag: `trust-${manifest.number}-${manifest.manifestSha256.slice(0, 16)}${jws ? '-jws' : ''}`,
      maxAge: 86_400,
    });
  }

  function content(request: FastifyRequest, reply: FastifyReply, site: PublishedSite | null, name: string) {
    const match = CONTENT_FILE.exec(name);
    if (!site || !match || Number(match[1]) !== site.snapshot.version) return notFound(request, reply);
    const page = site.page('trust|content', () => ({
      body: canonicalContent(site.snapshot.content),
      contentType: JSON_TYPE,
    }));
    reply.header('access-control-allow-origin', '*');
    // Compressed for the wire, but the bytes that are hashed are the identity body.
    return sendPage(request, reply, page);
  }

  /** The site for /t/:slug, unless this request came to a custom domain (which serves only its root). */
  async function slugSite(request: FastifyRequest<{ Params: { slug: string } }>) {
    if (await cache.byHost(request.hostname)) return null;
    return cache.bySlug(request.params.slug);
  }
  const hostSite = (request: FastifyRequest) => cache.byHost(request.hostname);

  app.get<{ Params: { slug: string } }>('/t/:slug/trust.json', async (request, reply) =>
    current(request, reply, await slugSite(request), false),
  );
  app.get<{ Params: { slug: string } }>('/t/:slug/trust.json.jws', async (request, reply) =>
    current(request, reply, await slugSite(request), true),
  );
  app.get<{ Params: { slug: string; file: string } }>('/t/:slug/trust/:file', async (request, reply) =>
    file(request, reply, await slugSite(request), request.params.file),
  );
  app.get<{ Params: { slug: string; file: string } }>(
    '/t/:slug/trust/content/:file',
    async (request, reply) => content(request, reply, await slugSite(request), request.params.file),
  );
  app.get('/trust.json', async (request, reply) => current(request, reply, await hostSite(request), false));
  app.get('/trust.json.jws', async (request, reply) =>
    current(request, reply, await hostSite(request), true),
  );
  app.get<{ Params: { file: string } }>('/trust/:file', async (request, reply) =>
    file(request, reply, await hostSite(request), request.params.file),
  );
  app.get<{ Params: { file: string } }>('/trust/content/:file', async (request, reply) =>
    content(request, reply, await hostSite(request), request.params.file),
  );
}
