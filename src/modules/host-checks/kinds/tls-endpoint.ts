import tls, { type PeerCertificate, type SecureVersion } from 'node:tls';
import { connectTls, type PinnedHost, requestPinned } from '../../../platform/net/safe-connect.js';
import { type Facts, failureCode, type ProbeEnv, type ProbeOutcome, pinOrRefuse } from './probe.js';

export const EXPIRY_WARNING_DAYS = 21;
const DAY_MS = 86_400_000;
const versions: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const factName: Record<SecureVersion, string> = {
  TLSv1: 'tls10',
  'TLSv1.1': 'tls11',
  'TLSv1.2': 'tls12',
  'TLSv1.3': 'tls13',
};

/** Whether the server completes a handshake at exactly this version. */
async function offers(host: PinnedHost, port: number, version: SecureVersion, timeoutMs: number) {
  try {
    const socket = await connectTls(host, {
      port,
      timeoutMs,
      minVersion: version,
      maxVersion: version,
      rejectUnauthorized: false,
      // Old versions need old ciphers: without them the probe would miss a server that still offers them.
      ...(version === 'TLSv1.3' ? {} : { ciphers: 'ALL:@SECLEVEL=0' }),
    });
    socket.destroy();
    return true;
  } catch {
    return false;
  }
}

interface Certificate {
  chainValid: boolean;
  nameMatches: boolean;
  error: string;
  validTo: Date | null;
}

async function certificateOf(host: PinnedHost, port: number, env: ProbeEnv): Promise<Certificate> {
  const socket = await connectTls(host, {
    port,
    timeoutMs: env.timeoutMs,
    rejectUnauthorized: false,
    ca: [...tls.rootCertificates, ...(env.extraCa ?? [])],
  });
  try {
    const cert: PeerCertificate = socket.getPeerCertificate();
    const identity = cert?.subject
      ? tls.checkServerIdentity(host.hostname, cert)
      : new Error('no certificate');
    const error = socket.authorizationError;
    return {
      chainValid: socket.authorized,
      nameMatches: identity === undefined,
      error: error ? String((error as { code?: string }).code ?? error).slice(0, 60) : '',
      validTo: cert?.valid_to ? new Date(cert.valid_to) : null,
    };
  } finally {
    socket.destroy();
  }
}

/**
 * A TLS endpoint of the tenant's: which protocol versions it offers (each tried on its own),
 * whether its chain is valid for the name, how long until the certificate expires, and whether
 * its HTTPS answer carries HSTS.
 */
export async function tlsEndpoint(
  env: ProbeEnv,
  target: string,
  options: { port: number; allowTls12: boolean },
): Promise<ProbeOutcome> {
  const pinned = await pinOrRefuse(env, target);
  if ('outcome' in pinned) return pinned.outcome;
  const { host } = pinned;
  const facts: Facts = { port: options.port, tls12Allowed: options.allowTls12 };
  const offered = new Map<SecureVersion, boolean>();
  for (const version of versions) {
    const yes = await offers(host, options.port, version, env.timeoutMs);
    offered.set(version, yes);
    facts[factName[version]] = yes;
  }
  if (![...offered.values()].some(Boolean)) {
    return { status: 'fail', summary: 'No TLS handshake succeeded at any version.', facts };
  }
  const problems: string[] = [];
  if (!offered.get('TLSv1.3')) problems.push('TLS 1.3 is not offered');
  if (offered.get('TLSv1.2') && !options.allowTls12) problems.push('TLS 1.2 is offered');
  if (offered.get('TLSv1') || offered.get('TLSv1.1')) problems.push('TLS 1.0 or 1.1 is offered');

  let certificate: Certificate;
  try {
    certificate = await certificateOf(host, options.port, env);
  } catch (error) {
    certificate = { chainValid: false, nameMatches: false, error: failureCode(error), validTo: null };
  }
  facts.chainValid = certificate.chainValid;
  facts.nameMatches = certificate.nameMatches;
  if (certificate.error) facts.certificateError = certificate.error;
  if (!certificate.chainValid) problems.push('the certificate chain is not valid');
  else if (!certificate.nameMatches) problems.push('the certificate is not valid for the name');
  if (certificate.validTo) {
    const days = Math.floor((certificate.validTo.getTime() - env.now.getTime()) / DAY_MS);
    facts.daysUntilExpiry = days;
    facts.expiresOn = certificate.validTo.toISOString().slice(0, 10);
    if (days < 0) problems.push('the certificate has expired');
    else if (days < EXPIRY_WARNING_DAYS) problems.push(`the certificate expires in ${days} days`);
  }

  const port = options.port === 443 ? '' : `:${options.port}`;
  const hostPart = host.family === 6 && host.hostname === host.address ? `[${host.hostname}]` : host.hostname;
  try {
    const response = await requestPinned(host, new URL(`https://${hostPart}${port}/`), {
      timeoutMs: env.timeoutMs,
      ca: [...tls.rootCertificates, ...(env.extraCa ?? [])],
    });
    const hsts = String(response.headers['strict-transport-security'] ?? '');
    const maxAge = Number(/max-age=(\d+)/i.exec(hsts)?.[1] ?? 0);
    facts.hsts = maxAge > 0;
    facts.hstsMaxAgeSeconds = maxAge;
  } catch {
    facts.hsts = false;
  }
  if (!facts.hsts) problems.push('the HTTPS answer carries no HSTS');

  if (problems.length === 0) {
    return {
      status: 'pass',
      summary: `TLS 1.3${offered.get('TLSv1.2') ? ' and 1.2' : ' only'}, a valid certificate for the name that expires in ${facts.daysUntilExpiry} days, and HSTS.`,
      facts,
    };
  }
  const text = problems.join('; ');
  return { status: 'fail', summary: `${text.charAt(0).toUpperCase()}${text.slice(1)}.`, facts };
}
