import type { IncomingHttpHeaders } from 'node:http';
import tls from 'node:tls';
import { requestPinned } from '../../../platform/net/safe-connect.js';
import { type Facts, failureCode, type ProbeEnv, type ProbeOutcome, pinOrRefuse } from './probe.js';

const ONE_YEAR_SECONDS = 31_536_000;

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value.join(', ') : (value ?? '')).trim();
}

function cspDirectives(policy: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), values.join(' '));
  }
  return map;
}

/**
 * The security headers of one answer, judged as Attest judges its own (the security-headers
 * check): HSTS of a year (HTTPS only: browsers ignore it over HTTP), a CSP, framing forbidden,
 * nosniff and a Referrer-Policy.
 */
export function judgeHeaders(headers: IncomingHttpHeaders, https: boolean) {
  const hsts = header(headers, 'strict-transport-security');
  const maxAge = Number(/max-age=(\d+)/i.exec(hsts)?.[1] ?? 0);
  const csp = cspDirectives(header(headers, 'content-security-policy'));
  const frameAncestors = csp.get('frame-ancestors');
  const frameOptions = header(headers, 'x-frame-options').toLowerCase();
  const requirements = {
    hstsAtLeastOneYear: https && maxAge >= ONE_YEAR_SECONDS,
    cspPresent: csp.size > 0,
    framingForbidden:
      frameAncestors === "'none'" ||
      frameAncestors === "'self'" ||
      frameOptions === 'deny' ||
      frameOptions === 'sameorigin',
    nosniff: header(headers, 'x-content-type-options').toLowerCase() === 'nosniff',
    referrerPolicy: header(headers, 'referrer-policy') !== '',
  };
  return { requirements, maxAge };
}

/** The security headers of any URL of the tenant's, from one GET (no redirect followed). */
export async function httpHeaders(env: ProbeEnv, target: string): Promise<ProbeOutcome> {
  const url = new URL(target);
  const pinned = await pinOrRefuse(env, url.hostname.replace(/^\[|\]$/g, ''));
  if ('outcome' in pinned) return pinned.outcome;
  let response: Awaited<ReturnType<typeof requestPinned>>;
  try {
    response = await requestPinned(pinned.host, url, {
      timeoutMs: env.timeoutMs,
      ca: [...tls.rootCertificates, ...(env.extraCa ?? [])],
    });
  } catch (error) {
    return {
      status: 'fail',
      summary: 'The URL did not answer.',
      facts: { reachable: false, failure: failureCode(error) },
    };
  }
  const https = url.protocol === 'https:';
  const { requirements, maxAge } = judgeHeaders(response.headers, https);
  const facts: Facts = { statusCode: response.statusCode, https, hstsMaxAgeSeconds: maxAge, ...requirements };
  const missing = Object.entries(requirements)
    .filter(([, met]) => !met)
    .map(([name]) => name);
  if (missing.length > 0) {
    return {
      status: 'fail',
      summary: `${missing.length} of ${Object.keys(requirements).length} header requirements are not met (${missing.join(', ')}).`,
      facts,
    };
  }
  return {
    status: 'pass',
    summary: `The answer sends HSTS for ${Math.floor(maxAge / 86_400)} days, a Content-Security-Policy, forbids framing, and sends nosniff and a Referrer-Policy.`,
    facts,
  };
}
