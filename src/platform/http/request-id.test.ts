import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/support/app.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { systemContext } from '../auth/context.js';
import { builtInRoles } from '../auth/roles.js';
import { createLogger } from '../logging/logger.js';
import { API_PREFIX } from './api-route.js';

/** A logger like production's whose JSON lines the test reads. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', destination), lines };
}

/** Over a socket: inject() skips the server factory and the public pages' fast path in front of the router. */
function getOverSocket(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; requestId: unknown }>((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, path, headers }, (incoming) => {
      incoming.resume();
      incoming.on('end', () =>
        resolve({ status: incoming.statusCode ?? 0, requestId: incoming.headers['x-request-id'] }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const PASSWORD = 'a long and unusual passphrase 4471';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.each(testDatabaseKinds)('request ids and request log lines on $name', (kind) => {
  const captured = capturedLogger();
  const holder = useTestApp(kind, { logger: captured.logger, publicCacheMs: 60_000 });
  let tenantId = '';
  let port = 0;

  beforeAll(async () => {
    const tenant = await holder.app.services.tenants.create({ slug: 'logged', name: 'Logged Ltd' });
    tenantId = tenant.id;
    await holder.app.services.transfer.importDraft(systemContext(tenantId), sampleDocument('LOG'), {
      publish: true,
    });
    await holder.app.services.members.add(systemContext(tenantId), {
      email: 'owner@logged.example',
      role: 'owner',
      password: PASSWORD,
    });
    await holder.app.server.listen({ host: '127.0.0.1', port: 0 });
    port = (holder.app.server.server.address() as AddressInfo).port;
  });

  async function apiGet(headers: Record<string, string> = {}) {
    const token = await holder.app.tokens.mint({
      subject: '00000000-0000-4000-8000-000000000001',
      tenantId,
      permissions: [...builtInRoles.viewer.permissions],
    });
    return holder.app.server.inject({
      url: `${API_PREFIX}/controls`,
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
  }

  it('logs an authenticated API request with its tenant and request id, and echoes the id', async () => {
    const response = await apiGet();
    expect(response.statusCode).toBe(200);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(UUID);
    const line = captured.lines.find((entry) => entry.reqId === requestId && entry.msg === 'request');
    expect(line).toMatchObject({ reqId: requestId, tenantId, route: `${API_PREFIX}/controls`, status: 200 });
  });

  it("logs a console request with its session's tenant, and a public page with its trust center's", async () => {
    const login = await holder.app.server.inject({
      method: 'POST',
      url: '/bff/login',
      headers: { origin: 'http://127.0.0.1:3000' },
      payload: { email: 'owner@logged.example', password: PASSWORD, tenant: 'logged' },
    });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
    const me = await holder.app.server.inject({
      url: '/bff/me',
      headers: { origin: 'http://127.0.0.1:3000', cookie },
    });
    expect(me.statusCode).toBe(200);
    for (const response of [login, me]) {
      const line = captured.lines.find((entry) => entry.reqId === response.headers['x-request-id']);
      expect(line).toMatchObject({ msg: 'request', tenantId, status: 200 });
    }
    // Public pages log only failures: an unknown page of a known trust center is one.
    const missing = await holder.app.server.inject({ url: '/t/logged/no-such-page' });
    expect(missing.statusCode).toBe(404);
    const line = captured.lines.find((entry) => entry.reqId === missing.headers['x-request-id']);
    expect(line).toMatchObject({ msg: 'request', tenantId, status: 404 });
  });

  it('puts the request id of an error into the header and the error body alike', async () => {
    const response = await holder.app.server.inject({ url: `${API_PREFIX}/controls` });
    expect(response.statusCode).toBe(401);
    expect(response.headers['x-request-id']).toMatch(UUID);
    expect(response.json().error.requestId).toBe(response.headers['x-request-id']);
    const unmatched = await holder.app.server.inject({ url: '/no/such/route' });
    expect(unmatched.statusCode).toBe(404);
    expect(unmatched.headers['x-request-id']).toMatch(UUID);
  });

  it('echoes an id on BFF answers, and on public pages from the router and from memory', async () => {
    const bff = await holder.app.server.inject({ url: '/bff/me' });
    expect(bff.statusCode).toBe(401);
    expect(bff.headers['x-request-id']).toMatch(UUID);

    const routed = await holder.app.server.inject({ url: '/t/logged/security' });
    expect(routed.statusCode).toBe(200);
    expect(routed.headers['x-request-id']).toMatch(UUID);

    // Once in memory, the page is answered in front of the router; it still carries an id.
    const first = await getOverSocket(port, '/t/logged/faq');
    const second = await getOverSocket(port, '/t/logged/faq');
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.requestId).toMatch(UUID);
    expect(second.requestId).toMatch(UUID);
    expect(second.requestId).not.toBe(first.requestId);
  });

  it('ignores a client-chosen X-Request-Id when no proxy is trusted', async () => {
    const response = await apiGet({ 'x-request-id': 'chosen-by-client-1' });
    expect(response.headers['x-request-id']).toMatch(UUID);
    const overSocket = await getOverSocket(port, '/t/logged/faq', { 'x-request-id': 'chosen-by-client-2' });
    expect(overSocket.requestId).toMatch(UUID);
  });
});

describe.each(testDatabaseKinds)('behind a trusted proxy on $name', (kind) => {
  const captured = capturedLogger();
  const holder = useTestApp(kind, { logger: captured.logger, trustProxy: true });

  it("takes the proxy's well-formed request id into the header and the log, and no other", async () => {
    const taken = await holder.app.server.inject({
      url: '/bff/me',
      headers: { 'x-request-id': 'proxy-7f3a.1:2_b' },
    });
    expect(taken.headers['x-request-id']).toBe('proxy-7f3a.1:2_b');
    expect(captured.lines.some((line) => line.reqId === 'proxy-7f3a.1:2_b')).toBe(true);

    for (const refused of ['has space', 'x'.repeat(129), 'quote"d', 'new\\nline', '']) {
      const response = await holder.app.server.inject({
        url: '/bff/me',
        headers: { 'x-request-id': refused },
      });
      expect(response.headers['x-request-id']).toMatch(UUID);
    }
  });
});
