import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Ca,
  makeCa,
  makeLeaf,
  type Running,
  startDnsServer,
  startHttpsServer,
  startSshServer,
} from '../../../../test/support/host-servers.js';
import { createNetGuard, type HostResolver } from '../../../platform/net/safe-connect.js';
import { dnsRecords } from './dns.js';
import { httpHeaders } from './http-headers.js';
import { httpUptime } from './http-uptime.js';
import type { ProbeEnv } from './probe.js';
import { sshAuth } from './ssh-auth.js';
import { tlsEndpoint } from './tls-endpoint.js';

const NAME = 'status.example.test';
const DAY = 86_400_000;
const now = new Date();
const local: HostResolver = async () => [{ address: '127.0.0.1', family: 4 }];
const goodHeaders = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

let ca: Ca;
let env: ProbeEnv;
/** Defaults: no allow-list, as an installation starts. */
let closedEnv: ProbeEnv;
const servers: Running[] = [];

beforeAll(() => {
  ca = makeCa();
  env = {
    guard: createNetGuard({ allowPrivate: '127.0.0.0/8', resolver: local }),
    extraCa: [ca.cert],
    timeoutMs: 3_000,
    now,
  };
  closedEnv = { ...env, guard: createNetGuard({ resolver: local }) };
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function https(options: Parameters<typeof startHttpsServer>[0]) {
  const server = await startHttpsServer(options);
  servers.push(server);
  return server;
}

function leaf(fromDays: number, toDays: number, names = [NAME]) {
  return makeLeaf(
    ca,
    names,
    new Date(now.getTime() + fromDays * DAY),
    new Date(now.getTime() + toDays * DAY),
  );
}

describe('tls-endpoint', () => {
  it('passes a TLS 1.3-only server with a valid certificate for the name and HSTS', async () => {
    const server = await https({ ...leaf(-1, 90), minVersion: 'TLSv1.3', headers: goodHeaders });
    const outcome = await tlsEndpoint(env, NAME, { port: server.port, allowTls12: false });
    expect(outcome.summary).toMatch(/^TLS 1.3 only/);
    expect(outcome.status).toBe('pass');
    expect(outcome.facts).toMatchObject({
      tls13: true,
      tls12: false,
      tls11: false,
      tls10: false,
      chainValid: true,
      nameMatches: true,
      hsts: true,
      daysUntilExpiry: 89,
    });
  });

  it('fails a TLS 1.2-only server, and passes TLS 1.2 beside 1.3 only when the check allows it', async () => {
    const only12 = await https({
      ...leaf(-1, 90),
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      headers: goodHeaders,
    });
    const outcome = await tlsEndpoint(env, NAME, { port: only12.port, allowTls12: true });
    expect(outcome.status).toBe('fail');
    expect(outcome.facts).toMatchObject({ tls13: false, tls12: true });
    expect(outcome.summary).toMatch(/TLS 1.3 is not offered/);

    const both = await https({ ...leaf(-1, 90), minVersion: 'TLSv1.2', headers: goodHeaders });
    expect((await tlsEndpoint(env, NAME, { port: both.port, allowTls12: true })).status).toBe('pass');
    const strict = await tlsEndpoint(env, NAME, { port: both.port, allowTls12: false });
    expect(strict.status).toBe('fail');
    expect(strict.summary).toMatch(/TLS 1.2 is offered/);
  });

  it('fails a server that still offers TLS 1.0 and 1.1 beside 1.3', async () => {
    const legacy = await https({ ...leaf(-1, 90), minVersion: 'TLSv1', headers: goodHeaders });
    const outcome = await tlsEndpoint(env, NAME, { port: legacy.port, allowTls12: true });
    expect(outcome.facts).toMatchObject({ tls10: true, tls11: true, tls12: true, tls13: true });
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(/TLS 1.0 or 1.1 is offered/);
  });

  it('fails an expired certificate, one that expires within 21 days, and one for another name', async () => {
    const expired = await https({ ...leaf(-60, -2), minVersion: 'TLSv1.3', headers: goodHeaders });
    const old = await tlsEndpoint(env, NAME, { port: expired.port, allowTls12: false });
    expect(old.status).toBe('fail');
    expect(old.facts).toMatchObject({
      chainValid: false,
      certificateError: 'CERT_HAS_EXPIRED',
      daysUntilExpiry: -3,
    });

    const soon = await https({ ...leaf(-1, 10), minVersion: 'TLSv1.3', headers: goodHeaders });
    const warning = await tlsEndpoint(env, NAME, { port: soon.port, allowTls12: false });
    expect(warning.status).toBe('fail');
    expect(warning.summary).toMatch(/expires in 9 days/);

    const other = await https({
      ...leaf(-1, 90, ['other.example.test']),
      minVersion: 'TLSv1.3',
      headers: goodHeaders,
    });
    const wrong = await tlsEndpoint(env, NAME, { port: other.port, allowTls12: false });
    expect(wrong.status).toBe('fail');
    expect(wrong.facts).toMatchObject({ nameMatches: false });
  });

  it('fails a server that sends no HSTS, and one whose chain no trusted CA signed', async () => {
    const bare = await https({ ...leaf(-1, 90), minVersion: 'TLSv1.3' });
    const outcome = await tlsEndpoint(env, NAME, { port: bare.port, allowTls12: false });
    expect(outcome.status).toBe('fail');
    expect(outcome.facts).toMatchObject({ hsts: false, chainValid: true });
    const unknownCa = await tlsEndpoint({ ...env, extraCa: [] }, NAME, {
      port: bare.port,
      allowTls12: false,
    });
    expect(unknownCa.facts).toMatchObject({ chainValid: false });
  });

  it('refuses the local server without the operator allow-list', async () => {
    const server = await https({ ...leaf(-1, 90), minVersion: 'TLSv1.3', headers: goodHeaders });
    const outcome = await tlsEndpoint(closedEnv, NAME, { port: server.port, allowTls12: false });
    expect(outcome).toMatchObject({ status: 'error', facts: { refused: 'loopback' } });
  });
});

describe('http-headers', () => {
  it('passes a URL that sends every header and fails one that drops a header', async () => {
    const good = await https({ ...leaf(-1, 90), headers: goodHeaders });
    const pass = await httpHeaders(env, `https://${NAME}:${good.port}/`);
    expect(pass.status).toBe('pass');
    const { 'x-content-type-options': _dropped, ...rest } = goodHeaders;
    const missing = await https({ ...leaf(-1, 90), headers: rest });
    const fail = await httpHeaders(env, `https://${NAME}:${missing.port}/login`);
    expect(fail.status).toBe('fail');
    expect(fail.facts).toMatchObject({ nosniff: false, cspPresent: true, hstsAtLeastOneYear: true });
    expect(fail.summary).toMatch(/1 of 5 .*nosniff/);
  });

  it('refuses loopback by default, and fails a URL that does not answer', async () => {
    const good = await https({ ...leaf(-1, 90), headers: goodHeaders });
    expect((await httpHeaders(closedEnv, `https://${NAME}:${good.port}/`)).status).toBe('error');
    const gone = await httpHeaders(env, `https://${NAME}:1/`);
    expect(gone).toMatchObject({ status: 'fail', facts: { reachable: false, failure: 'ECONNREFUSED' } });
  });
});

describe('redirects', () => {
  it('are answers, never followed: the host a redirect names is not reached', async () => {
    const inner = await https({ ...leaf(-1, 90), headers: goodHeaders });
    const redirecting = await https({
      ...leaf(-1, 90),
      status: 302,
      headers: { ...goodHeaders, location: `https://${NAME}:${inner.port}/` },
    });
    const headers = await httpHeaders(env, `https://${NAME}:${redirecting.port}/`);
    expect(headers.facts).toMatchObject({ statusCode: 302 });
    const uptime = await httpUptime(env, `https://${NAME}:${redirecting.port}/`);
    expect(uptime).toMatchObject({ status: 'pass', facts: { statusCode: 302 } });
    expect(redirecting.requests()).toBe(2);
    expect(inner.requests()).toBe(0);
  });
});

describe('http-uptime', () => {
  it('is up below 400, down on a 503 or no answer, and records no sample for a refused target', async () => {
    const up = await https({ ...leaf(-1, 90), status: 204 });
    expect(await httpUptime(env, `https://${NAME}:${up.port}/health`)).toMatchObject({
      status: 'pass',
      sample: { up: true },
    });
    const failing = await https({ ...leaf(-1, 90), status: 503 });
    expect(await httpUptime(env, `https://${NAME}:${failing.port}/`)).toMatchObject({
      status: 'fail',
      sample: { up: false },
    });
    expect(await httpUptime(env, `https://${NAME}:1/`)).toMatchObject({
      sample: { up: false, latencyMs: null },
    });
    const refused = await httpUptime(closedEnv, `https://${NAME}:${up.port}/`);
    expect(refused.status).toBe('error');
    expect(refused.sample).toBeUndefined();
  });
});

describe('ssh-auth', () => {
  it('passes a server that offers publickey only and fails one that offers passwords', async () => {
    const keysOnly = await startSshServer(['publickey']);
    const passwords = await startSshServer(['publickey', 'password', 'keyboard-interactive']);
    servers.push(keysOnly, passwords);
    const pass = await sshAuth(env, NAME, { port: keysOnly.port });
    expect(pass).toMatchObject({ status: 'pass', facts: { methods: 'publickey', password: false } });
    const fail = await sshAuth(env, NAME, { port: passwords.port });
    expect(fail.status).toBe('fail');
    expect(fail.facts).toMatchObject({ password: true, keyboardInteractive: true });
    expect((await sshAuth(closedEnv, NAME, { port: keysOnly.port })).status).toBe('error');
  });
});

describe('dns', () => {
  const domain = 'example.test';
  const complete = [
    { type: 'TXT' as const, name: domain, data: 'v=spf1 include:_spf.example.test -all' },
    { type: 'TXT' as const, name: `_dmarc.${domain}`, data: 'v=DMARC1; p=reject; rua=mailto:d@example.test' },
    { type: 'CAA' as const, name: domain, tag: 'issue', value: 'letsencrypt.org' },
    { type: 'SOA' as const, name: domain },
  ];

  it('passes SPF, DMARC p=reject, CAA and DNSSEC-validated answers', async () => {
    const server = await startDnsServer(complete, true);
    servers.push(server);
    const outcome = await dnsRecords({ ...env, dnsServers: [server.server] }, domain);
    expect(outcome.summary).toBe('SPF, DMARC with p=reject, CAA, and DNSSEC-validated answers.');
    expect(outcome.status).toBe('pass');
    expect(outcome.facts).toMatchObject({
      spf: true,
      dmarcPolicy: 'reject',
      caa: true,
      dnssecValidated: true,
    });
  });

  it('finds CAA on the parent, and fails p=none, a missing SPF and answers without AD', async () => {
    const weak = [
      { type: 'TXT' as const, name: `_dmarc.shop.${domain}`, data: 'v=DMARC1; p=none' },
      { type: 'CAA' as const, name: domain, tag: 'issue', value: 'letsencrypt.org' },
      { type: 'SOA' as const, name: domain },
    ];
    const server = await startDnsServer(weak, false);
    servers.push(server);
    const outcome = await dnsRecords({ ...env, dnsServers: [server.server] }, `shop.${domain}`);
    expect(outcome.status).toBe('fail');
    expect(outcome.facts).toMatchObject({
      spf: false,
      dmarcPolicy: 'none',
      caa: true,
      dnssecChecked: true,
      dnssecValidated: false,
    });
    expect(outcome.summary).toBe('No SPF record; DMARC policy is none; answers are not DNSSEC-validated.');
  });
});
