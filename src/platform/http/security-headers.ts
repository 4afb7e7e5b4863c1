import type { FastifyInstance } from 'fastify';

/**
 * One strict policy for every response: scripts, styles, images and connections from this origin
 * only, nothing inline, no framing, no forms elsewhere. Whatever it does not name (objects,
 * fonts, manifests, frames, media, workers) falls back to `default-src 'none'`; form-action,
 * frame-ancestors and base-uri have no fallback, so they are named.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * The headers are the same on every response, so they are computed once. (@fastify/helmet
 * re-parses its options on every request; on the public pages that was a quarter of the CPU.)
 *
 * Only headers a current browser acts on: framing is forbidden by the policy's frame-ancestors
 * (which every current browser prefers over X-Frame-Options); Origin-Agent-Cluster is what
 * Chromium, the only engine that reads it, now does by default; X-DNS-Prefetch-Control,
 * X-Permitted-Cross-Domain-Policies (Flash, Acrobat) and Permissions-Policy's interest-cohort
 * (FLoC) concern features that are gone or off by default on HTTPS. Every byte here is sent with
 * every public page (decision 0021).
 */
export const securityHeaders: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': contentSecurityPolicy,
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
});

export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });
}
