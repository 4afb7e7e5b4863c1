import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request defence for the cookie-authenticated BFF: a state-changing request must come
 * from this site, shown by an `Origin` equal to one of ours, or, when a browser sent no Origin, by
 * `Sec-Fetch-Site: same-origin`. A request with neither is refused: browsers send at least one, and
 * non-browser clients use the API with a key instead.
 */
export function assertSameOrigin(request: FastifyRequest, allowedOrigins: ReadonlySet<string>): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  if (origin !== undefined) {
    const own = `${request.protocol}://${request.host}`;
    if (origin === own || allowedOrigins.has(origin)) return;
    throw new AppError('auth.origin_rejected');
  }
  if (request.headers['sec-fetch-site'] === 'same-origin') return;
  throw new AppError('auth.origin_rejected');
}
