import type { HostCheckDefinition } from '../host-checks.contract.js';
import { dnsRecords } from './dns.js';
import { httpHeaders } from './http-headers.js';
import { httpUptime } from './http-uptime.js';
import type { ProbeEnv, ProbeOutcome } from './probe.js';
import { sshAuth } from './ssh-auth.js';
import { tlsEndpoint } from './tls-endpoint.js';

export type { ProbeEnv, ProbeOutcome } from './probe.js';

/** A stored check, as the worker hands it to its kind. */
export type StoredCheck = Pick<HostCheckDefinition, 'kind' | 'target'> & {
  options: Record<string, number | boolean>;
};

/** Runs one check of its kind; options were validated when the check was created. */
export function probe(env: ProbeEnv, check: StoredCheck): Promise<ProbeOutcome> {
  const options = check.options;
  switch (check.kind) {
    case 'tls-endpoint':
      return tlsEndpoint(env, check.target, {
        port: Number(options.port ?? 443),
        allowTls12: options.allowTls12 === true,
      });
    case 'http-headers':
      return httpHeaders(env, check.target);
    case 'ssh-auth':
      return sshAuth(env, check.target, { port: Number(options.port ?? 22) });
    case 'dns':
      return dnsRecords(env, check.target);
    case 'http-uptime':
      return httpUptime(env, check.target);
  }
}
