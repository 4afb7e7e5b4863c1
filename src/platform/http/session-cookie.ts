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

/**
 * The browser's proof that it signed in before (sealed, see device-proof.ts): it outlives
 * sessions and sign-outs on purpose, so a lock or slowdown caused by someone else does not keep
 * this browser's person out. Same attributes as the session cookie.
 */
export const DEVICE_COOKIE = '__Host-attest_device';

export function readDeviceCookie(request: FastifyRequest): string | undefined {
  return request.cookies[DEVICE_COOKIE];
}

export function setDeviceCookie(reply: FastifyReply, value: string, expiresAt: Date): void {
  reply.setCookie(DEVICE_COOKIE, value, { ...sessionCookieAttributes, expires: expiresAt });
}
