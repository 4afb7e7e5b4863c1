import { Client } from 'ssh2';
import type { PinnedHost } from '../../../platform/net/safe-connect.js';
import { failureCode, type ProbeEnv, type ProbeOutcome, pinOrRefuse } from './probe.js';

/**
 * The methods the server lists after an authentication with method "none" (RFC 4252 §5.2):
 * the standard way to ask which methods it accepts, without offering any credential.
 */
function authMethods(host: PinnedHost, port: number, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let listed: string[] | null = null;
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      client.end();
      if (listed) resolve(listed);
      else reject(error ?? new Error('the server listed no methods'));
    };
    client.on('error', (error) => finish(error));
    client.on('ready', () => {
      // A server that lets "none" in lists nothing: that is the weakest answer of all.
      listed = ['none'];
      finish(null);
    });
    client.on('close', () => finish(null));
    client.connect({
      host: host.address,
      port,
      username: 'attest-check',
      readyTimeout: timeoutMs,
      hostVerifier: () => true,
      authHandler: (methodsLeft, _partial, next) => {
        if (methodsLeft === null) return next({ type: 'none', username: 'attest-check' });
        listed = [...methodsLeft];
        return next(false as never);
      },
    });
  });
}

/** An SSH server of the tenant's accepts keys only: no password, no keyboard-interactive. */
export async function sshAuth(
  env: ProbeEnv,
  target: string,
  options: { port: number },
): Promise<ProbeOutcome> {
  const pinned = await pinOrRefuse(env, target);
  if ('outcome' in pinned) return pinned.outcome;
  let methods: string[];
  try {
    methods = await authMethods(pinned.host, options.port, env.timeoutMs);
  } catch (error) {
    return {
      status: 'fail',
      summary: 'The SSH server did not answer.',
      facts: { reachable: false, failure: failureCode(error) },
    };
  }
  const offered = methods.filter((method) => /^[a-z0-9@.-]{1,40}$/.test(method)).slice(0, 10);
  const facts = {
    port: options.port,
    methods: offered.join(','),
    publickey: offered.includes('publickey'),
    password: offered.includes('password'),
    keyboardInteractive: offered.includes('keyboard-interactive'),
    noneAccepted: offered.includes('none'),
  };
  // Only publickey: password and keyboard-interactive can be guessed, and anything else is not a key.
  if (offered.some((method) => method !== 'publickey') || !facts.publickey) {
    return {
      status: 'fail',
      summary: facts.noneAccepted
        ? 'The SSH server lets anyone in without authentication.'
        : `The SSH server offers ${offered.join(', ') || 'no method'}: only publickey is allowed.`,
      facts,
    };
  }
  return { status: 'pass', summary: 'The SSH server offers publickey authentication only.', facts };
}
