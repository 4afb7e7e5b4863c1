import { beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/platform/auth/context.js';
import { builtInRoles } from '../../src/platform/auth/roles.js';
import { useTestApp } from '../support/app.js';
import { testDatabaseKinds } from '../support/databases.js';
import { sampleDocument } from '../support/fixtures.js';

const huge = 'x'.repeat(100_000);
const hostileBodies: [string, string | object][] = [
  ['a string of 100,000 characters in every field', 'HUGE'],
  ['wrong types everywhere', 'WRONG_TYPES'],
  [
    'a prototype-pollution key',
    '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
  ],
  ['deeply nested arrays', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ['broken JSON', '{"title": '],
  ['control characters in every field', 'CONTROL'],
  ['an array instead of an object', '[1,2,3]'],
  ['null', 'null'],
];

function bodyFor(kind: string | object, sample: Record<string, unknown>): string {
  if (kind === 'HUGE')
    return JSON.stringify(Object.fromEntries(Object.keys(sample).map((key) => [key, huge])));
  if (kind === 'CONTROL')
    return JSON.stringify(Object.fromEntries(Object.keys(sample).map((key) => [key, 'bad\u0000\u001b[31m'])));
  if (kind === 'WRONG_TYPES')
    return JSON.stringify(Object.fromEntries(Object.keys(sample).map((key) => [key, { $ne: null }])));
  return typeof kind === 'string' ? kind : JSON.stringify({ ...sample, ...kind });
}

/** Every field a route's body schema knows, to aim the hostile values at. */
const sampleFields: Record<string, unknown> = {
  title: 'ok',
  name: 'ok',
  key: 'ok-key',
  question: 'q?',
  answer: 'a',
  description: 'd',
  status: 'implemented',
  categoryId: '00000000-0000-4000-8000-000000000000',
  ids: [],
  email: 'a@b.example',
  role: 'viewer',
  scopes: ['content:read'],
  permissions: [],
  companyName: 'c',
  sessionIdleMinutes: 30,
  sessionAbsoluteHours: 12,
  requireMfa: false,
  overlapHours: 1,
  expiresInDays: 1,
  version: 1,
  noticePeriodDays: 30,
  senderName: 'ok',
  replyTo: null,
};

describe.each(testDatabaseKinds)('hostile input on $name', (kind) => {
  const holder = useTestApp(kind);
  let token = '';
  let tenantId = '';

  beforeAll(async () => {
    const { services, tokens } = holder.app;
    const tenant = await services.tenants.create({ slug: 'hostile', name: 'Hostile' });
    tenantId = tenant.id;
    await services.transfer.importDraft(systemContext(tenant.id), sampleDocument('HOSTILE'), {
      publish: true,
    });
    token = await tokens.mint({
      subject: '00000000-0000-4000-8000-00000000000a',
      tenantId,
      permissions: [...builtInRoles.owner.permissions],
    });
  });

  it('answers every hostile body on every route that takes one with a 4xx, and changes nothing', async () => {
    const { app } = holder;
    const before = await app.services.transfer.exportDraft(systemContext(tenantId));
    const withBody = app.apiRoutes.filter((route) => route.body);
    expect(withBody.length).toBeGreaterThan(10);
    for (const route of withBody) {
      const url = `/api/v1${route.url.replace(/:[a-z]+/g, (param) => (param === ':version' ? '1' : param === ':key' ? 'some-role' : '00000000-0000-4000-8000-000000000001'))}`;
      for (const [label, kind] of hostileBodies) {
        const response = await app.server.inject({
          method: route.method,
          url,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: bodyFor(kind, sampleFields),
        });
        expect(
          response.statusCode,
          `${route.method} ${route.url} with ${label}: ${response.body.slice(0, 200)}`,
        ).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${route.method} ${route.url} with ${label}`).toBeLessThan(500);
        expect(response.body).not.toContain('at ');
      }
      const wrongType = await app.server.inject({
        method: route.method,
        url,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/xml' },
        payload: '<x/>',
      });
      expect(wrongType.statusCode, `${route.method} ${route.url} with XML`).toBe(415);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await app.services.transfer.exportDraft(systemContext(tenantId))).toEqual(before);
  });

  it('bounds query strings and path parameters with a 4xx', async () => {
    const { app } = holder;
    for (const url of [
      '/api/v1/controls?limit=100000',
      '/api/v1/controls?limit=-1',
      '/api/v1/controls?offset=abc',
      `/api/v1/controls?q=${'a'.repeat(5000)}`,
      '/api/v1/controls/not-a-uuid',
      '/api/v1/controls/..%2F..%2Fetc%2Fpasswd',
      '/api/v1/snapshots/0',
      '/api/v1/snapshots/99999999999',
      '/api/v1/audit-events?limit=10000',
      `/api/v1/audit-events?actorId=${'a'.repeat(10_000)}`,
    ]) {
      const response = await app.server.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, url).toBeLessThan(500);
    }
  });

  it('answers hostile Host headers on the console, the BFF, the API and the public pages without a 500', async () => {
    const { app } = holder;
    for (const host of [
      '',
      'a..b',
      '[::1',
      `${'x'.repeat(300)}.com`,
      "'; drop table tenants;--",
      'evil.example:99999',
      'EVIL.example.',
      '%00.example',
      'xn--.example',
    ]) {
      for (const url of ['/bff/me', '/api/v1/controls', '/admin/', '/', '/security', '/t/hostile/security']) {
        const response = await app.server.inject({ method: 'GET', url, headers: { host } });
        expect(response.statusCode, `${host} ${url}`).toBeLessThan(500);
        // At most the BFF's clearing of a stale cookie: never a session.
        expect(String(response.headers['set-cookie'] ?? ''), `${host} ${url}`).not.toMatch(/^[^=]+=[^;]/);
      }
    }
  });

  it('refuses oversized bodies with 413 and hostile sign-ins with 4xx', async () => {
    const { app } = holder;
    const big = await app.server.inject({
      method: 'PUT',
      url: '/api/v1/profile',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ companyName: 'x'.repeat(1_100_000) }),
    });
    expect(big.statusCode).toBe(413);
    for (const payload of [
      { email: 'x'.repeat(10_000), password: 'p', tenant: 'hostile' },
      { email: 'a@b.example', password: 'p'.repeat(5000), tenant: 'hostile' },
      { email: 'a@b.example', password: 'correct horse battery', tenant: '../../etc' },
      { email: ['a'], password: { $gt: '' }, tenant: 'hostile' },
      {},
    ]) {
      const response = await app.server.inject({
        method: 'POST',
        url: '/bff/login',
        headers: { origin: 'http://127.0.0.1:3000' },
        payload,
      });
      expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
    }
  });
});
