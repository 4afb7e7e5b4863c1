import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Clock, systemClock } from '../platform/clock.js';
import { type Encoding, matchesEtag, pickEncoding } from '../platform/http/negotiation.js';
import { securityHeaders } from '../platform/http/security-headers.js';
import { PAGE_CACHE_CONTROL, publicPageOf } from './public.routes.js';
import type { PublishedCache, RenderedPage } from './published-cache.js';

const HOST = /^(\[[0-9a-f:.]+\]|[^:]+)(?::\d{1,5})?$/i;
const PAGE_PATH = /^\/t\/([a-z0-9-]{1,63})(?:\/([a-z]{1,20}(?:\.(?:json|md))?))?\/?$/;

/**
 * The public pages' hot path, in front of the router: a published page that is already in memory
 * is written straight to the socket with headers computed once per page and encoding. Anything it
 * is not sure about (a query string, an encoded character, a host that might be a custom domain, a
 * tenant or page not in memory yet) falls through to the Fastify routes, which answer the same
 * thing more slowly and fill the cache. The routes' tests and this file's test compare the two.
 */
export function createPublicFastPath(cache: PublishedCache, clock: Clock = systemClock) {
  const headerSets = new WeakMap<RenderedPage, Partial<Record<Encoding, Record<string, string | number>>>>();

  function headersFor(page: RenderedPage, encoding: Encoding): Record<string, string | number> {
    let sets = headerSets.get(page);
    if (!sets) {
      sets = {};
      headerSets.set(page, sets);
    }
    let headers = sets[encoding];
    if (!headers) {
      const body = encoding === 'br' ? page.brotli : encoding === 'gzip' ? page.gzip : page.identity;
      headers = {
        ...securityHeaders,
        'content-type': page.contentType,
        'content-length': body.length,
        vary: 'Accept-Encoding',
        'cache-control': PAGE_CACHE_CONTROL,
        etag: encoding === 'identity' ? page.etag : `${page.etag.slice(0, -1)}-${encoding}"`,
        ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
      };
      sets[encoding] = headers;
    }
    return headers;
  }

  return function serveFromMemory(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const match = PAGE_PATH.exec(request.url ?? '');
    const host = HOST.exec(request.headers.host ?? '')?.[1];
    if (!match?.[1] || !host) return false;
    // A tenant's custom domain does not serve /t/ pages; unknown hosts are left to the router.
    if (cache.byHost(host) !== null) return false;
    const site = cache.bySlug(match[1]);
    if (!site || site instanceof Promise) return false;
    const page = publicPageOf(site, match[2] ?? 'overview', `/t/${match[1]}`, clock());
    if (!page) return false;
    const encoding = pickEncoding(request.headers['accept-encoding']);
    const headers = headersFor(page, encoding);
    if (matchesEtag(request.headers['if-none-match'], String(headers.etag))) {
      const {
        'content-length': _length,
        'content-type': _type,
        'content-encoding': _encoding,
        ...rest
      } = headers;
      response.writeHead(304, rest);
      response.end();
      return true;
    }
    response.writeHead(200, headers);
    if (request.method === 'HEAD') response.end();
    else response.end(encoding === 'br' ? page.brotli : encoding === 'gzip' ? page.gzip : page.identity);
    return true;
  };
}
