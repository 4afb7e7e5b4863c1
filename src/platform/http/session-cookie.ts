import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * `__Host-` binds the cookie to this exact origin: the browser accepts it only with Secure, with
 * Path=/ and without Domain, so no subdomain can set or read it. HttpOnly keeps it away from
 * scripts; SameSite=Lax keeps it off cross-site subrequests.
 */
export const SESSION_COOKIE = '__Host-attest_session';

/** The attributes the session cookie is always set and cleared with (live evidence reads them too). */
export const sessionCookieAttributes = Object.freeze({
  httpOnly: true,
  secure: true,
  sameSite: 'lax',
  path: '/',
} as const);

export function readSessionCookie(request: FastifyRequest): string | undefined {
  return request.cookies[SESSION_COOKIE];
}

export function setSessionCookie(reply: FastifyReply, value: string, expiresAt: Date): void {
  reply.setCookie(SESSION_COOKIE, value, { ...sessionCookieAttributes, expires: expiresAt });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { ...sessionCookieAttributes });
}
