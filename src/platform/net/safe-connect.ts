import { lookup } from 'node:dns/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls, { type ConnectionOptions, type TLSSocket } from 'node:tls';
import { type AllowList, parseAllowList, refusalOf } from './addresses.js';

/**
 * The guard every check of a tenant's own host goes through (an SSRF guard): the name is resolved
 * once, every address it resolves to must be public (or inside the operator's allow-list,
 * ATTEST_CHECK_ALLOW_PRIVATE), and the connection goes to that very address. There is no second
 * lookup between the check and the connection, so a name that answers a public address first and
 * 127.0.0.1 next (DNS rebinding) reaches nothing it should not. Redirects are never followed.
 */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** How names are resolved (the system's resolver; tests give their own). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => ({
    address: entry.address,
    family: entry.family === 6 ? 6 : 4,
  }));

/** A target that may not be reached. `reason` is a class ('loopback', 'private', …), never the address. */
export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
  constructor(readonly reason: string) {
    super(`target refused: ${reason}`);
  }
}

/** A host name with the one address checks of it connect to. */
export interface PinnedHost {
  /** The name as given (a DNS name or an IP literal without brackets). */
  hostname: string;
  address: string;
  family: 4 | 6;
}

export interface NetGuard {
  /** Resolves `hostname` once and returns the address to connect to; throws TargetRefusedError. */
  pin(hostname: string): Promise<PinnedHost>;
}

const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

export function isHostName(value: string): boolean {
  return HOSTNAME.test(value) || isIP(value) !== 0;
}

export function createNetGuard({
  allowPrivate = [],
  resolver = systemResolver,
}: {
  /** Ranges the operator lets checks reach (a parsed list, or its text "127.0.0.0/8,::1"). */
  allowPrivate?: AllowList | string;
  resolver?: HostResolver;
} = {}): NetGuard {
  const allow = typeof allowPrivate === 'string' ? parseAllowList(allowPrivate) : allowPrivate;
  return {
    async pin(input: string): Promise<PinnedHost> {
      const hostname = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
      const literal = isIP(hostname);
      if (literal) {
        const reason = refusalOf(hostname, allow);
        if (reason) throw new TargetRefusedError(reason);
        return { hostname, address: hostname, family: literal === 6 ? 6 : 4 };
      }
      if (!HOSTNAME.test(hostname)) throw new TargetRefusedError('not-a-host-name');
      let answers: ResolvedAddress[];
      try {
        answers = await resolver(hostname);
      } catch {
        throw new TargetRefusedError('unresolvable');
      }
      if (answers.length === 0) throw new TargetRefusedError('unresolvable');
      // Every answer must be allowed: a name that also points inward is refused outright.
      for (const answer of answers) {
        const reason = refusalOf(answer.address, allow);
        if (reason) throw new TargetRefusedError(reason);
      }
      const [first] = answers as [ResolvedAddress];
      return { hostname, address: first.address, family: first.family };
    },
  };
}

/** Options of a TLS connection to a pinned host (the name is sent as SNI and checked by the caller). */
export interface PinnedTlsOptions
  extends Pick<ConnectionOptions, 'minVersion' | 'maxVersion' | 'ciphers' | 'ca' | 'rejectUnauthorized'> {
  port: number;
  timeoutMs: number;
}

/** Connects to the pinned address over TLS; resolves once the handshake is done. */
export function connectTls(host: PinnedHost, options: PinnedTlsOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const { port, timeoutMs, ...rest } = options;
    const socket = tls.connect({
      ...rest,
      host: host.address,
      port,
      ...(isIP(host.hostname) ? {} : { servername: host.hostname }),
      // The identity is judged by the caller against the name, not by connect.
      checkServerIdentity: () => undefined,
    });
    const timer = setTimeout(() => socket.destroy(new Error('TLS handshake timed out')), timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

export interface PinnedResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** Time to the response's headers. */
  ms: number;
}

/**
 * One GET of `url` from the pinned address (the URL's host must be the pinned host's name). Only
 * the status and headers are read; the body is dropped. A redirect is returned as it is, never
 * followed: following it would reach a host nobody checked.
 */
export function requestPinned(
  host: PinnedHost,
  url: URL,
  { timeoutMs, ca }: { timeoutMs: number; ca?: ConnectionOptions['ca'] },
): Promise<PinnedResponse> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const started = performance.now();
    const request = (secure ? https : http).request({
      method: 'GET',
      host: host.address,
      port: url.port ? Number(url.port) : secure ? 443 : 80,
      path: `${url.pathname}${url.search}`,
      headers: { host: url.host, 'user-agent': 'Attest-Check/1', accept: '*/*' },
      agent: false,
      ...(secure
        ? {
            ...(isIP(host.hostname) ? {} : { servername: host.hostname }),
            ...(ca ? { ca } : {}),
            minVersion: 'TLSv1.2' as const,
            // The certificate is checked for the name, not for the address connected to.
            checkServerIdentity: (_: string, cert: tls.PeerCertificate) =>
              tls.checkServerIdentity(host.hostname, cert),
          }
        : {}),
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error('request timed out')));
    request.once('response', (response) => {
      const ms = Math.round(performance.now() - started);
      resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, ms });
      response.destroy();
      request.destroy();
    });
    request.once('error', reject);
    request.end();
  });
}
