import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { acceptInvitationInput } from '../modules/accounts/accounts.contract.js';
import { type ActiveSession, ThrottledError } from '../modules/sessions/sessions.service.js';
import { ServiceContext } from '../platform/auth/context.js';
import type { TokenService } from '../platform/auth/jwt.js';
import { AppError } from '../platform/errors.js';
import { INTERNAL_CLIENT_HEADER, INTERNAL_SECRET_HEADER } from '../platform/http/authenticate.js';
import { assertSameOrigin } from '../platform/http/origin-check.js';
import { bindTenantToLog } from '../platform/http/server.js';
import {
  clearSessionCookie,
  readDeviceCookie,
  readSessionCookie,
  setDeviceCookie,
  setSessionCookie,
} from '../platform/http/session-cookie.js';
import { truncateAddress } from '../platform/logging/logger.js';
import type { Services } from '../services.js';
import '../modules/accounts/accounts.errors.js';
import '../modules/sessions/sessions.errors.js';
import { apiPathOf } from './api-path.js';

/** The API's largest JSON body (a whole trust center imported at once, publishing.routes.ts); any non-upload body. */
const LARGEST_JSON_BODY = 2 * 1024 * 1024;

/** Room for the form fields and part headers around an upload of the maximum size. */
const MULTIPART_FIELDS_ALLOWANCE = 256 * 1024;

const codeInput = z.object({ code: z.string().trim().min(6).max(40) });

/** Headers of the API's answer that the browser may see; everything else stays on the server. */
/** API answers the BFF streams instead of buffering (tenant export downloads). */
const STREAMED_DOWNLOAD = /^\/api\/v1\/exports\/[0-9a-f-]{36}\/download(\?|$)/;

const FORWARDED_RESPONSE_HEADERS = [
  'content-type',
  'content-disposition',
  'etag',
  'last-modified',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
];

function clientInfo(request: FastifyRequest) {
  const agent = request.headers['user-agent'];
  return {
    client: truncateAddress(request.ip) ?? null,
    userAgent: typeof agent === 'string' ? agent.slice(0, 200) : null,
  };
}

/**
 * The backend-for-frontend: browser sessions in an HttpOnly cookie, and a proxy that calls the
 * API on the browser's behalf with a JWT minted for that one request. No token, key or secret is
 * ever in a response the browser can read (apart from what a person creates for themselves and is
 * shown once: an API key's secret, a TOTP set-up secret, recovery codes).
 */
export async function registerBffRoutes(
  app: FastifyInstance,
  {
    services,
    tokens,
    allowedOrigins,
    issuerName,
    internalSecret,
    maxUploadBytes,
  }: {
    services: Pick<Services, 'members' | 'mfa' | 'sessions' | 'tenantSwitch' | 'tenants' | 'users'>;
    tokens: TokenService;
    allowedOrigins: ReadonlySet<string>;
    issuerName: string;
    internalSecret: string;
    /** The API's upload limit; a multipart body may be this plus its form fields. */
    maxUploadBytes: number;
  },
) {
  // No BFF route of its own takes multipart: only the API proxy below passes uploads on.
  app.removeContentTypeParser('multipart/form-data');

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/bff/')) return;
    reply.header('cache-control', 'no-store');
    assertSameOrigin(request, allowedOrigins);
  });

  async function requireSession(request: FastifyRequest, reply: FastifyReply): Promise<ActiveSession> {
    const session = await services.sessions.resolve(readSessionCookie(request));
    if (!session) {
      clearSessionCookie(reply);
      throw new AppError('auth.session_expired');
    }
    bindTenantToLog(request, session.tenantId);
    return session;
  }

  function contextOf(session: ActiveSession, request: FastifyRequest): ServiceContext {
    return new ServiceContext(
      session.tenantId,
      { kind: 'user', id: session.userId },
      session.permissions,
      clientInfo(request).client,
    );
  }

  async function describe(session: ActiveSession) {
    const [user, current] = await Promise.all([
      services.users.byId(session.userId),
      services.tenants.findById(session.tenantId),
    ]);
    return {
      user: { id: session.userId, email: user?.email ?? '' },
      tenant: { slug: current?.slug ?? '', name: current?.name ?? '' },
      role: session.role,
      permissions: session.permissions,
      mfa: { enabled: session.mfaEnabled, required: session.mfaRequired },
      expiresAt: session.expiresAt.toISOString(),
    };
  }

  app.post('/bff/login', async (request, reply) => {
    const result = await services.sessions
      .login(request.body as never, { ...clientInfo(request), deviceProof: readDeviceCookie(request) })
      .catch((error: unknown) => {
        if (error instanceof ThrottledError) reply.header('retry-after', error.retryAfterSeconds);
        throw error;
      });
    setSessionCookie(reply, result.cookie, result.absoluteExpiresAt);
    setDeviceCookie(reply, result.deviceProof.value, result.deviceProof.expiresAt);
    const session = await services.sessions.resolve(result.cookie);
    if (!session) throw new AppError('auth.session_expired');
    bindTenantToLog(request, session.tenantId);
    return describe(session);
  });

  app.post('/bff/logout', async (request, reply) => {
    await services.sessions.logout(readSessionCookie(request));
    clearSessionCookie(reply);
    return reply.code(204).send();
  });

  app.get('/bff/me', async (request, reply) => describe(await requireSession(request, reply)));

  app.get('/bff/trust-centers', async (request, reply) => {
    const session = await requireSession(request, reply);
    return { items: await services.tenantSwitch.list(session) };
  });

  /** Continue in another trust center one belongs to: a new session there, this one ends. */
  app.post('/bff/switch', async (request, reply) => {
    const current = await requireSession(request, reply);
    const switched = await services.tenantSwitch.switchTo(
      current,
      request.body as never,
      clientInfo(request),
    );
    if (!switched) return describe(current);
    setSessionCookie(reply, switched.cookie, switched.absoluteExpiresAt);
    const session = await services.sessions.resolve(switched.cookie);
    if (!session) throw new AppError('auth.session_expired');
    return describe(session);
  });

  app.get('/bff/sessions', async (request, reply) => {
    const session = await requireSession(request, reply);
    return { items: await services.sessions.listOwn(contextOf(session, request), session.sessionId) };
  });

  app.delete<{ Params: { id: string } }>('/bff/sessions/:id', async (request, reply) => {
    const session = await requireSession(request, reply);
    await services.sessions.revokeOwn(contextOf(session, request), request.params.id);
    if (request.params.id === session.sessionId) clearSessionCookie(reply);
    return reply.code(204).send();
  });

  app.post('/bff/sessions/revoke-all', async (request, reply) => {
    const session = await requireSession(request, reply);
    await services.sessions.revokeAllOwn(contextOf(session, request));
    clearSessionCookie(reply);
    return reply.code(204).send();
  });

  app.post('/bff/mfa/setup', async (request, reply) => {
    const session = await requireSession(request, reply);
    return services.mfa.setup(session.userId, issuerName);
  });

  app.post('/bff/mfa/enable', async (request, reply) => {
    const session = await requireSession(request, reply);
    const { code } = codeInput.parse(request.body);
    const result = await services.mfa.enable(session.userId, session.tenantId, code);
    // A privilege change: the session continues under a new id.
    const cookie = await services.sessions.renew(session, clientInfo(request));
    setSessionCookie(reply, cookie, session.expiresAt);
    return result;
  });

  app.post('/bff/mfa/disable', async (request, reply) => {
    const session = await requireSession(request, reply);
    const { code } = codeInput.parse(request.body);
    await services.mfa.disable(session.userId, session.tenantId, code);
    return reply.code(204).send();
  });

  app.post('/bff/invitations/accept', async (request, reply) => {
    const accepted = await services.members.acceptInvitation(acceptInvitationInput.parse(request.body));
    return reply.code(201).send({ userId: accepted.userId });
  });

  /**
   * /bff/api/* → /api/v1/*, in process, with a JWT minted for this request only. The session is
   * checked before the body is read, so no upload is buffered for someone who is not signed in.
   * A body is passed to the API as the bytes the browser sent, with its content type, so the API
   * parses, limits and checks it exactly as it does for an API client (re-encoding it here would
   * be a second multipart implementation to get wrong, and re-serialising JSON ran out of stack
   * on deep bodies). The path is forwarded only if it stays under /api/v1 (apiPathOf).
   */
  await app.register(async (proxy) => {
    const sessionOf = new WeakMap<FastifyRequest, ActiveSession>();
    proxy.removeAllContentTypeParsers();
    proxy.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'buffer', bodyLimit: maxUploadBytes + MULTIPART_FIELDS_ALLOWANCE },
      (_request, body, done) => done(null, body),
    );
    proxy.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: LARGEST_JSON_BODY },
      (_request, body, done) => done(null, body),
    );
    proxy.addHook('onRequest', async (request, reply) => {
      const session = await requireSession(request, reply);
      if (session.mfaRequired && !session.mfaEnabled) throw new AppError('auth.mfa_enrollment_required');
      sessionOf.set(request, session);
    });
    // No route body limit: each parser above has its own (a route's limit would override both).
    proxy.all('/bff/api/*', async (request, reply) => {
      const session = sessionOf.get(request);
      if (!session) throw new AppError('auth.session_expired');
      const target = apiPathOf(request.url);
      const token = await tokens.mint({
        subject: session.userId,
        tenantId: session.tenantId,
        permissions: session.permissions,
        sessionId: session.sessionId,
      });
      const body = Buffer.isBuffer(request.body) ? request.body : undefined;
      const contentType = request.headers['content-type'];
      // An export archive can be gigabytes: passed on as a stream, not held whole in memory.
      const streamed = request.method === 'GET' && STREAMED_DOWNLOAD.test(target);
      const forwarded = await app.inject({
        ...(streamed ? { payloadAsStream: true } : {}),
        method: request.method as 'GET',
        url: target,
        headers: {
          authorization: `Bearer ${token}`,
          accept: request.headers.accept ?? 'application/json',
          ...(body && contentType !== undefined ? { 'content-type': contentType } : {}),
          // The API trusts this client address only with the process's own internal secret.
          [INTERNAL_CLIENT_HEADER]: clientInfo(request).client ?? '',
          [INTERNAL_SECRET_HEADER]: internalSecret,
        },
        ...(body ? { payload: body } : {}),
      });
      reply.code(forwarded.statusCode);
      for (const name of FORWARDED_RESPONSE_HEADERS) {
        const value = forwarded.headers[name];
        if (value !== undefined) reply.header(name, value);
      }
      return reply.send(streamed ? forwarded.stream() : forwarded.rawPayload);
    });
  });
}
