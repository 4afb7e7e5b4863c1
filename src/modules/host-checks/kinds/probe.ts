import { type NetGuard, type PinnedHost, TargetRefusedError } from '../../../platform/net/safe-connect.js';

/** What a probe of a tenant's host may use: the guard (the only way out), trusted CAs, resolvers. */
export interface ProbeEnv {
  guard: NetGuard;
  /** Certificate authorities trusted besides Node's bundled ones (an operator's private CA). */
  extraCa?: readonly string[] | undefined;
  /** DNS servers the dns kind asks ("127.0.0.1:5353"); the system's by default. */
  dnsServers?: readonly string[] | undefined;
  /** Each connection's limit. */
  timeoutMs: number;
  now: Date;
}

export type Facts = Record<string, number | string | boolean>;

/** A probe's finding. Summary and facts are public: versions, counts, dates; never an address. */
export interface ProbeOutcome {
  status: 'pass' | 'fail' | 'error';
  summary: string;
  facts: Facts;
  /** Uptime probes: whether the target was up, and how fast it answered. */
  sample?: { up: boolean; latencyMs: number | null };
}

/** The guard's refusal as an outcome: which class of address, never the address itself. */
export function refused(error: TargetRefusedError): ProbeOutcome {
  return {
    status: 'error',
    summary:
      error.reason === 'unresolvable'
        ? 'The host name does not resolve.'
        : `The target is not checked: it is not a public address (${error.reason}).`,
    facts: { refused: error.reason },
  };
}

/** Pins the host, or answers the refusal. */
export async function pinOrRefuse(
  env: ProbeEnv,
  hostname: string,
): Promise<{ host: PinnedHost } | { outcome: ProbeOutcome }> {
  try {
    return { host: await env.guard.pin(hostname) };
  } catch (error) {
    if (error instanceof TargetRefusedError) return { outcome: refused(error) };
    throw error;
  }
}

/** Why a connection failed, as a short public code (ECONNREFUSED, CERT_HAS_EXPIRED, timeout). */
export function failureCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,60}$/.test(code)) return code;
  return /timed out/i.test(String((error as Error).message)) ? 'timeout' : 'connection_failed';
}
