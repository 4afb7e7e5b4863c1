import tls from 'node:tls';
import { requestPinned } from '../../../platform/net/safe-connect.js';
import { failureCode, type ProbeEnv, type ProbeOutcome, pinOrRefuse } from './probe.js';

/** One probe of a URL: up when it answers below 400 within the timeout. Redirects count as up. */
export async function httpUptime(env: ProbeEnv, target: string): Promise<ProbeOutcome> {
  const url = new URL(target);
  const pinned = await pinOrRefuse(env, url.hostname.replace(/^\[|\]$/g, ''));
  // A refused target is a setting to fix, not downtime: no sample.
  if ('outcome' in pinned) return pinned.outcome;
  try {
    const response = await requestPinned(pinned.host, url, {
      timeoutMs: env.timeoutMs,
      ca: [...tls.rootCertificates, ...(env.extraCa ?? [])],
    });
    const up = response.statusCode > 0 && response.statusCode < 400;
    return {
      status: up ? 'pass' : 'fail',
      summary: up
        ? `Up: answered ${response.statusCode} in ${response.ms} ms.`
        : `Down: answered ${response.statusCode}.`,
      facts: { up, statusCode: response.statusCode, latencyMs: response.ms },
      sample: { up, latencyMs: response.ms },
    };
  } catch (error) {
    return {
      status: 'fail',
      summary: 'Down: no answer.',
      facts: { up: false, failure: failureCode(error) },
      sample: { up: false, latencyMs: null },
    };
  }
}
