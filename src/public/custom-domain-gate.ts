import type { FastifyReply, FastifyRequest } from 'fastify';
import { domainName } from '../modules/tenants/tenants.contract.js';
import { type TenantsService, withoutPortAndRootDot } from '../modules/tenants/tenants.service.js';
import { publicNotFoundPage, sendPage } from './public.routes.js';

/** Platform routes: the console, its BFF and the API (with its OpenAPI document). */
const PLATFORM_ROUTE = /^\/(?:admin|bff|api)(?:\/|$)/;

const MAX_ENTRIES = 10_000;

/**
 * Whether a host is one of the tenants' custom domains, from memory. Both answers are kept for
 * `revalidateMs` (bounded in number), so a stream of requests costs one query per host and period;
 * hosts that cannot be a custom domain (an IP address, `localhost`) never reach the database.
 */
export function createCustomDomainLookup({
  tenants,
  revalidateMs,
  now = Date.now,
}: {
  tenants: Pick<TenantsService, 'isCustomDomain'>;
  revalidateMs: number;
  now?: () => number;
}) {
  const entries = new Map<string, { custom: boolean; checkedAt: number }>();
  const pending = new Map<string, Promise<boolean>>();

  return function isCustomDomain(hostname: string): boolean | Promise<boolean> {
    const host = withoutPortAndRootDot(hostname.toLowerCase());
    if (!host.includes('.') || host.startsWith('[') || /^[\d.]+$/.test(host)) return false;
    // Only a well-formed domain name can be a tenant's; anything else is neither looked up nor kept.
    if (!domainName.safeParse(host).success) return false;
    const entry = entries.get(host);
    if (entry && now() - entry.checkedAt < revalidateMs) return entry.custom;
    let inflight = pending.get(host);
    if (!inflight) {
      inflight = tenants
        .isCustomDomain(host)
        .then((custom) => {
          entries.delete(host);
          if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
          entries.set(host, { custom, checkedAt: now() });
          return custom;
        })
        .finally(() => pending.delete(host));
      pending.set(host, inflight);
    }
    return inflight;
  };
}

/**
 * A tenant's custom domain is customer-facing: it serves that tenant's public pages and nothing
 * of the platform. The console (/admin), the BFF (/bff) and the API (/api) answer there with the
 * public 404 page, before any cookie is read or set, so the domain can carry no session and show
 * no sign-in form a look-alike could imitate. So does any path no route knows. The platform's own
 * host (ATTEST_PUBLIC_URL) and every host that is no tenant's custom domain work as before, as do
 * /healthz and /readyz everywhere (load balancers probe by IP or by any name).
 *
 * Decided on the matched route pattern, not the raw URL, so a percent-encoded spelling of /admin
 * that the router still matches is held back too. Public pages never pass through here in their
 * fast path, and the routed public pages only pay a regular-expression test.
 */
export function createCustomDomainGate({
  publicUrl,
  isCustomDomain,
}: {
  publicUrl: string;
  isCustomDomain: (hostname: string) => boolean | Promise<boolean>;
}) {
  const platformHost = withoutPortAndRootDot(new URL(publicUrl).hostname.toLowerCase());
  return async function platformRoutesOnly(request: FastifyRequest, reply: FastifyReply) {
    const route = request.routeOptions.url;
    if (route !== undefined && !PLATFORM_ROUTE.test(route)) return;
    const host = withoutPortAndRootDot(request.hostname.toLowerCase());
    if (host === platformHost || !(await isCustomDomain(host))) return;
    return sendPage(request, reply, publicNotFoundPage(), 404);
  };
}
