import type { FastifyRequest } from 'fastify';
import { ServiceContext } from '../auth/context.js';
import type { TokenService } from '../auth/jwt.js';
import { constantTimeEqual } from '../crypto/tokens.js';
import { AppError } from '../errors.js';
import { truncateAddress } from '../logging/logger.js';

export interface ApiKeyAuthenticator {
  authenticate(token: string, client: string | null): Promise<ServiceContext | null>;
}

/** Set by the in-process BFF forward: the browser's truncated address, vouched for by a per-process secret. */
export const INTERNAL_CLIENT_HEADER = 'x-attest-client';
export const INTERNAL_SECRET_HEADER = 'x-attest-internal';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{10,2048})$/;

/**
 * Who is calling the API: `Authorization: Bearer <JWT>` (minted by the BFF, or by an operator's
 * tooling) or `Bearer attest_…` (an API key). Anything else, or anything invalid, is a 401 that
 * does not say which part was wrong.
 */
export function createApiAuthenticator({
  tokens,
  apiKeys,
  internalSecret,
}: {
  tokens: TokenService;
  apiKeys: ApiKeyAuthenticator;
  internalSecret: string;
}) {
  const secret = Buffer.from(internalSecret);
  function clientOf(request: FastifyRequest): string | null {
    const vouched = request.headers[INTERNAL_SECRET_HEADER];
    const forwarded = request.headers[INTERNAL_CLIENT_HEADER];
    if (
      typeof vouched === 'string' &&
      typeof forwarded === 'string' &&
      constantTimeEqual(vouched, secret.toString())
    ) {
      return forwarded.slice(0, 64) || null;
    }
    return truncateAddress(request.ip) ?? null;
  }

  return async function authenticate(request: FastifyRequest): Promise<ServiceContext> {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match?.[1]) throw new AppError('auth.required');
    const token = match[1];
    const client = clientOf(request);
    if (token.startsWith('attest_')) {
      const ctx = await apiKeys.authenticate(token, client);
      if (!ctx) throw new AppError('auth.required');
      return ctx;
    }
    const claims = await tokens.verify(token);
    return new ServiceContext(
      claims.tenantId,
      { kind: 'user', id: claims.subject },
      claims.permissions,
      client,
    );
  };
}
