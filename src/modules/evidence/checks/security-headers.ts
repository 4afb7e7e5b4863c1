import { securityHeaders } from '../../../platform/http/security-headers.js';
import type { EvidenceCheck } from './check.js';

const ONE_YEAR_SECONDS = 31_536_000;

function directives(policy: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), values.join(' '));
  }
  return map;
}

/**
 * Reads the headers the server adds to every response (computed once at start, see
 * src/platform/http/security-headers.ts), so what is checked is what is sent.
 */
export const securityHeadersCheck: EvidenceCheck = async () => {
  const hsts = securityHeaders['strict-transport-security'] ?? '';
  const maxAge = Number(/max-age=(\d+)/i.exec(hsts)?.[1] ?? 0);
  const csp = directives(securityHeaders['content-security-policy'] ?? '');
  const allCsp = [...csp.values()].join(' ');
  const requirements = {
    hstsAtLeastOneYear: maxAge >= ONE_YEAR_SECONDS,
    cspPresent: csp.size > 0,
    cspWithoutUnsafeInline:
      csp.size > 0 && !allCsp.includes("'unsafe-inline'") && !allCsp.includes("'unsafe-eval'"),
    framingForbidden: csp.get('frame-ancestors') === "'none'",
    nosniff: securityHeaders['x-content-type-options'] === 'nosniff',
    referrerPolicy: Boolean(securityHeaders['referrer-policy']),
    permissionsPolicy: Boolean(securityHeaders['permissions-policy']),
  };
  const facts = {
    hstsMaxAgeSeconds: maxAge,
    hstsIncludesSubdomains: /includeSubDomains/i.test(hsts),
    ...requirements,
    referrerPolicyValue: securityHeaders['referrer-policy'] ?? '',
  };
  const missing = Object.entries(requirements).filter(([, met]) => !met).length;
  if (missing > 0) {
    return {
      status: 'fail',
      summary: `${missing} of ${Object.keys(requirements).length} header requirements are not met by the headers every response sends.`,
      facts,
    };
  }
  return {
    status: 'pass',
    summary: `Every response sends HSTS for ${Math.floor(maxAge / 86_400)} days, a Content-Security-Policy without unsafe-inline that forbids framing, nosniff, a Referrer-Policy and a Permissions-Policy.`,
    facts,
  };
};
