import { randomBytes, randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { makeCa, makeLeaf, type Running, startHttpsServer } from '../../../test/support/host-servers.js';
import { type App, createApp } from '../../app.js';
import { systemContext } from '../../platform/auth/context.js';
import { builtInRoles } from '../../platform/auth/roles.js';
import { Sealer } from '../../platform/crypto/sealing.js';
import { createNetGuard } from '../../platform/net/safe-connect.js';
import { hostCheckList, hostCheckView, publicStatus } from './host-checks.contract.js';
import { createHostChecksService } from './host-checks.service.js';

const DAY = 86_400_000;

describe.each(testDatabaseKinds)('checks of tenants\u2019 own hosts on $name', (kind) => {
  const time = manualClock(new Date(Date.now() - 200 * DAY));
  const ca = makeCa('Host checks CA');
  const leaf = makeLeaf(
    ca,
    ['127.0.0.1'],
    new Date(Date.now() - 300 * DAY),
    new Date(Date.now() + 300 * DAY),
  );
  /** The operator allowed loopback (ATTEST_CHECK_ALLOW_PRIVATE=127.0.0.0/8), as an installation that tests itself. */
  const hostChecks = { guard: createNetGuard({ allowPrivate: '127.0.0.0/8' }), extraCa: [ca.cert] };
  let app: App;
  let server: Running;
  let requests = 0;
  let answer = 200;
  let tenantA = '';
  let tenantB = '';
  const mint = (tenantId: string, permissions: readonly string[]) =>
    app.tokens
      .mint({ subject: randomUUID(), tenantId, permissions: [...permissions] as never })
      .then((token) => `Bearer ${token}`);
  const owner = (tenantId: string) => mint(tenantId, builtInRoles.owner.permissions);
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, tenantId: string, payload?: unknown) =>
    app.server.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: await owner(tenantId) },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const listOf = async (tenantId: string) =>
    hostCheckList.parse((await call('GET', '/host-checks', tenantId)).json()).items;

  beforeAll(async () => {
    server = await startHttpsServer({ ...leaf, headers: {} });
    app = await createApp({
      db: await kind.create(),
      sealer: new Sealer(randomBytes(32)),
      clock: time.clock,
      publicCacheMs: 0,
      hostChecks,
    });
    const a = await app.services.tenants.create({
      slug: 'hosts-a',
      name: 'Hosts A',
      customDomain: 'trust.hosts-a.example',
    });
    const b = await app.services.tenants.create({ slug: 'hosts-b', name: 'Hosts B' });
    tenantA = a.id;
    tenantB = b.id;
    await app.services.transfer.importDraft(systemContext(a.id, 'test'), sampleDocument('HA'), {
      publish: true,
    });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await server?.close();
  });

  it('adds, lists, reads and removes a check, and records who did it', async () => {
    const created = await call('POST', '/host-checks', tenantA, {
      kind: 'tls-endpoint',
      name: 'Web front',
      target: 'www.example.com',
      options: { port: 8443, allowTls12: true },
      controls: ['encryption-in-transit'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const view = hostCheckView.parse(created.json());
    expect(view).toMatchObject({ everyMinutes: 60, options: { port: 8443, allowTls12: true }, latest: null });
    const read = await call('GET', `/host-checks/${view.id}`, tenantA);
    expect(hostCheckView.parse(read.json()).name).toBe('Web front');
    expect((await listOf(tenantA)).map((item) => item.id)).toContain(view.id);
    expect((await call('DELETE', `/host-checks/${view.id}`, tenantA)).statusCode).toBe(204);
    expect((await call('GET', `/host-checks/${view.id}`, tenantA)).statusCode).toBe(404);
    const audit = await app.services.audit.list(systemContext(tenantA, 'test'), { limit: 10 });
    expect(audit.events.map((event) => event.action)).toEqual(
      expect.arrayContaining(['host_check.created', 'host_check.deleted']),
    );
  });

  it('answers hostile input with a 4xx and changes nothing', async () => {
    const before = await listOf(tenantA);
    const hostile: unknown[] = [
      {},
      { kind: 'shell', name: 'x', target: 'example.com' },
      { kind: 'dns', name: 'x', target: 'exa mple.com' },
      { kind: 'dns', name: '', target: 'example.com' },
      { kind: 'dns', name: 'x'.repeat(81), target: 'example.com' },
      { kind: 'dns', name: 'line\nbreak', target: 'example.com' },
      { kind: 'dns', name: 'x', target: `${'a'.repeat(63)}.`.repeat(5) },
      { kind: 'http-headers', name: 'x', target: 'file:///etc/passwd' },
      { kind: 'http-headers', name: 'x', target: 'gopher://example.com/' },
      { kind: 'http-uptime', name: 'x', target: 'https://user:secret@example.com/' },
      { kind: 'http-uptime', name: 'x', target: `https://example.com/${'a'.repeat(2100)}` },
      { kind: 'tls-endpoint', name: 'x', target: 'example.com', options: { port: 70000 } },
      { kind: 'tls-endpoint', name: 'x', target: 'example.com', options: { command: 'rm -rf /' } },
      { kind: 'ssh-auth', name: 'x', target: 'example.com', everyMinutes: 0 },
      { kind: 'ssh-auth', name: 'x', target: 'example.com', everyMinutes: 100_000 },
      { kind: 'dns', name: 'x', target: 'example.com', controls: ['Not A Key'] },
      { kind: 'dns', name: 'x', target: 'example.com', controls: ['a', 'a'] },
      { kind: 'dns', name: 'x', target: 'example.com', tenantId: tenantB },
      { kind: 'http-uptime', name: 'x', target: 'https://example.com/', options: { targetPercent: 101 } },
      [],
      'dns',
    ];
    for (const payload of hostile) {
      const response = await call('POST', '/host-checks', tenantA, payload);
      expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBeLessThan(500);
    }
    for (const id of ['not-a-uuid', '../host-checks', '%00']) {
      const response = await call('DELETE', `/host-checks/${id}`, tenantA);
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
    }
    expect(await listOf(tenantA)).toEqual(before);
  });

  it("answers 404 for another tenant's check, and 403 without the permission", async () => {
    const created = await call('POST', '/host-checks', tenantB, {
      kind: 'dns',
      name: 'B mail',
      target: 'b.example',
    });
    const id = hostCheckView.parse(created.json()).id;
    expect((await call('GET', `/host-checks/${id}`, tenantA)).statusCode).toBe(404);
    expect((await call('DELETE', `/host-checks/${id}`, tenantA)).statusCode).toBe(404);
    expect((await listOf(tenantA)).map((item) => item.id)).not.toContain(id);
    expect((await listOf(tenantB)).map((item) => item.id)).toContain(id);
    const viewer = await mint(tenantB, builtInRoles.viewer.permissions);
    const auditor = await mint(tenantB, builtInRoles.auditor.permissions);
    const refused = await app.server.inject({
      method: 'DELETE',
      url: `/api/v1/host-checks/${id}`,
      headers: { authorization: auditor },
    });
    expect(refused.statusCode).toBe(403);
    const listed = await app.server.inject({
      method: 'GET',
      url: '/api/v1/host-checks',
      headers: { authorization: viewer },
    });
    expect(listed.statusCode).toBe(403);
    expect((await call('DELETE', `/host-checks/${id}`, tenantB)).statusCode).toBe(204);
  });

  it('runs a due check once with two workers, keeps uptime history and shows it on the status page', async () => {
    // Counts every request and answers with the status the test sets.
    const probed = https.createServer({ ...leaf }, (_request, response) => {
      requests += 1;
      response.writeHead(answer);
      response.end();
    });
    await new Promise<void>((resolve) => probed.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(probed.address() as AddressInfo).port}/health`;
    try {
      const created = await call('POST', '/host-checks', tenantA, {
        kind: 'http-uptime',
        name: 'Customer portal',
        target: url,
        controls: ['tls', 'not-published'],
      });
      expect(created.statusCode, created.body).toBe(201);
      const id = hostCheckView.parse(created.json()).id;
      // Two workers: two services on the same database, as two worker processes build them.
      const second = createHostChecksService({ db: app.db, clock: time.clock, ...hostChecks });
      const runs = async () => {
        const [one, two] = await Promise.all([app.services.hostChecks.runDue(), second.runDue()]);
        return one.ran + two.ran;
      };
      expect(await runs()).toBe(1);
      expect(requests).toBe(1);
      expect(await runs()).toBe(0); // not due again within the minute
      for (let minute = 0; minute < 4; minute += 1) {
        time.advance(60_000);
        if (minute === 3) answer = 503;
        expect(await runs()).toBe(1);
      }
      expect(requests).toBe(5);
      const view = hostCheckView.parse((await call('GET', `/host-checks/${id}`, tenantA)).json());
      expect(view.latest).toMatchObject({ status: 'fail', facts: { up: false, statusCode: 503 } });
      expect(view.availability).toMatchObject({ targetPercent: 99.5, last30Days: 80, probes30Days: 5 });

      const page = await app.server.inject({ method: 'GET', url: '/t/hosts-a/status.json' });
      expect(page.statusCode).toBe(200);
      const status = publicStatus.parse(page.json());
      expect(status.items).toEqual([
        expect.objectContaining({
          name: 'Customer portal',
          status: 'fail',
          availability: expect.objectContaining({ last30Days: 80 }),
        }),
      ]);
      // The controls it backs, by their published titles; a key nothing published has is left out.
      expect(status.items[0]?.controls).toEqual([{ title: 'HA TLS everywhere' }]);
      expect(page.body).not.toContain('127.0.0.1');
      const html = await app.server.inject({ method: 'GET', url: '/t/hosts-a/status' });
      expect(html.body).toContain('Customer portal');
      expect(html.body).toContain('80.00%');
      expect(html.body).toContain('(missed)');
      expect(html.body).toContain('HA TLS everywhere');
      const onDomain = await app.server.inject({
        method: 'GET',
        url: '/status.md',
        headers: { host: 'trust.hosts-a.example' },
      });
      expect(onDomain.statusCode).toBe(200);
      expect(onDomain.body).toContain('- Last 30 days: 80.00%');
      expect((await app.server.inject({ method: 'GET', url: '/status' })).statusCode).toBe(404);
      // An unpublished trust center has no status section.
      expect((await app.server.inject({ method: 'GET', url: '/t/hosts-b/status' })).statusCode).toBe(404);

      // Ninety days on, the old probes are gone once the next is recorded.
      answer = 200;
      time.advance(91 * DAY);
      expect(await runs()).toBe(1);
      const later = hostCheckView.parse((await call('GET', `/host-checks/${id}`, tenantA)).json());
      expect(later.availability).toMatchObject({ last30Days: 100, probes30Days: 1, probes90Days: 1 });
      expect((await call('DELETE', `/host-checks/${id}`, tenantA)).statusCode).toBe(204);
    } finally {
      await new Promise<void>((resolve) => probed.close(() => resolve()));
    }
  });

  it('reaches no private address unless the operator allows it', async () => {
    const closed = createHostChecksService({ db: app.db, clock: time.clock, guard: createNetGuard() });
    const before = requests;
    const created = await call('POST', '/host-checks', tenantA, {
      kind: 'http-headers',
      name: 'Metadata',
      target: 'http://169.254.169.254/latest/meta-data/',
    });
    const loop = await call('POST', '/host-checks', tenantA, {
      kind: 'http-uptime',
      name: 'Loopback',
      target: `https://[::ffff:127.0.0.1]:${server.port}/`,
    });
    expect(created.statusCode).toBe(201);
    expect(loop.statusCode).toBe(201);
    await closed.runDue();
    const items = await listOf(tenantA);
    const metadata = items.find((item) => item.name === 'Metadata');
    const loopback = items.find((item) => item.name === 'Loopback');
    expect(metadata?.latest).toMatchObject({ status: 'error', facts: { refused: 'link-local' } });
    expect(loopback?.latest).toMatchObject({ status: 'error', facts: { refused: 'loopback-in-ipv6' } });
    expect(loopback?.availability?.probes30Days).toBe(0);
    expect(requests).toBe(before);
  });
});
