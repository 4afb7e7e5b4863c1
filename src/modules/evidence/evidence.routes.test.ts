import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { documentsApp, publishedTenant } from '../../../test/support/documents-app.js';
import { publishEvidence } from '../../../test/support/evidence.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { systemContext } from '../../platform/auth/context.js';
import { builtInRoles } from '../../platform/auth/roles.js';
import { evidenceList, publicEvidenceList } from './evidence.contract.js';

describe.each(testDatabaseKinds)('live evidence API and public page on $name', (kind) => {
  let setup: Awaited<ReturnType<typeof documentsApp>>;
  let tenant: Awaited<ReturnType<typeof publishedTenant>>;
  const time = manualClock(new Date(Date.now() - 60_000));
  const keys = ['tenant-isolation', 'security-headers', 'audit-log-integrity'] as const;
  const get = (url: string, headers: Record<string, string> = {}) =>
    setup.app.server.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    setup = await documentsApp(kind, { clock: time.clock });
    tenant = await publishedTenant(setup.app, 'live');
    await setup.app.services.tenants.create({ slug: 'plain', name: 'Plain Ltd' });
    const domained = await setup.app.services.tenants.create({
      slug: 'domained',
      name: 'Domained Ltd',
      customDomain: 'trust.domained.example',
    });
    await publishedTenant(setup.app, 'quiet');
    const domainedCtx = systemContext(domained.id, 'test');
    await setup.app.services.transfer.importDraft(domainedCtx, sampleDocument('DOM'), { publish: true });
    await publishEvidence(setup.app, domainedCtx, ['security-headers']);
    await publishEvidence(setup.app, tenant.system, keys);
  }, 60_000);
  afterAll(async () => setup?.close());

  it('has results right after the publish that named the checks, before any run', async () => {
    // The publish started the checks it named for the first time; no one pressed "run now".
    await expect
      .poll(
        async () => {
          const listed = await get('/api/v1/evidence', { authorization: tenant.authorization });
          return evidenceList.parse(listed.json()).items.map((item) => [item.check, item.status]);
        },
        { timeout: 15_000 }, // a loaded machine runs the checks slowly
      )
      .toEqual(keys.map((key) => [key, 'pass']));
  });

  it('runs now for whoever may publish, refuses a second run within 30 seconds, and lists the results', async () => {
    const ran = await setup.app.server.inject({
      method: 'POST',
      url: '/api/v1/evidence/run',
      headers: { authorization: tenant.authorization },
    });
    expect(ran.statusCode, ran.body).toBe(200);
    const list = evidenceList.parse(ran.json());
    expect(list.items.map((item) => [item.check, item.status])).toEqual(keys.map((key) => [key, 'pass']));
    expect(list.lastRunAt).toBe(time.clock().toISOString());

    const again = await setup.app.server.inject({
      method: 'POST',
      url: '/api/v1/evidence/run',
      headers: { authorization: tenant.authorization },
    });
    expect(again.statusCode).toBe(429);
    time.advance(31_000);
    const later = await setup.app.server.inject({
      method: 'POST',
      url: '/api/v1/evidence/run',
      headers: { authorization: await tenant.freshAuthorization() },
    });
    expect(later.statusCode).toBe(200);
    const listed = await get('/api/v1/evidence', { authorization: await tenant.freshAuthorization() });
    expect(evidenceList.parse(listed.json()).items).toHaveLength(keys.length);
  });

  it('refuses callers without the permission with 403', async () => {
    const viewer = await setup.app.tokens.mint({
      subject: tenant.tenant.id,
      tenantId: tenant.tenant.id,
      permissions: [...builtInRoles.viewer.permissions],
    });
    const run = await setup.app.server.inject({
      method: 'POST',
      url: '/api/v1/evidence/run',
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(run.statusCode).toBe(403);
    const nothing = await setup.app.tokens.mint({
      subject: tenant.tenant.id,
      tenantId: tenant.tenant.id,
      permissions: ['audit:read'],
    });
    expect((await get('/api/v1/evidence', { authorization: `Bearer ${nothing}` })).statusCode).toBe(403);
  });

  it('serves the live page as HTML, JSON and Markdown that agree, and nothing private', async () => {
    const json = await get('/t/live/evidence.json');
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.headers['cache-control']).toBe('public, max-age=60');
    const list = publicEvidenceList.parse(json.json());
    expect(list.items.map((item) => item.check)).toEqual([...keys]);
    expect(list.items[0]?.controls).toEqual([{ title: 'LIVE TLS everywhere' }]);

    const html = await get('/t/live/evidence');
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(html.body).toContain('<h1>Live evidence</h1>');
    expect(html.body).toContain('every 15 minutes');
    const markdown = await get('/t/live/evidence.md');
    expect(markdown.headers['content-type']).toBe('text/markdown; charset=utf-8');
    for (const item of list.items) {
      expect(html.body).toContain(`<article id="${item.check}"`);
      expect(html.body).toContain(item.title);
      expect(html.body).toContain('Passing');
      expect(html.body).toContain(`Checked <time datetime="${item.checkedAt}">`);
      expect(html.body).toContain('What is checked');
      expect(markdown.body).toContain(item.title);
      expect(markdown.body).toContain(`Checked ${item.checkedAt.slice(0, 10)}`);
    }
    for (const body of [json.body, html.body, markdown.body]) {
      expect(body).not.toContain(tenant.tenant.id);
      expect(body).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}/);
      expect(body).not.toMatch(/v1\.[A-Za-z0-9_-]{16}\./);
    }

    const etag = String(html.headers.etag);
    expect((await get('/t/live/evidence', { 'if-none-match': etag })).statusCode).toBe(304);
  });

  it('links the page from the navigation only for trust centers that use checks', async () => {
    expect((await get('/t/live')).body).toContain('href="/t/live/evidence"');
    expect((await get('/t/quiet')).body).not.toContain('/evidence');
    expect((await get('/t/quiet/evidence.json')).json()).toEqual({ items: [], lastRunAt: null });
  });

  it('serves it at the root of a custom domain, and 404 for unknown or unpublished trust centers', async () => {
    const onDomain = await get('/evidence.json', { host: 'trust.domained.example' });
    expect(onDomain.statusCode).toBe(200);
    // Its one check ran after its publish, in the background.
    await expect
      .poll(
        async () =>
          publicEvidenceList
            .parse((await get('/evidence.json', { host: 'trust.domained.example' })).json())
            .items.map((item) => item.check),
        { timeout: 15_000 },
      )
      .toEqual(['security-headers']);
    expect((await get('/evidence', { host: 'trust.domained.example' })).body).toContain('Live evidence');
    expect((await get('/t/live/evidence', { host: 'trust.domained.example' })).statusCode).toBe(404);
    expect((await get('/evidence')).statusCode).toBe(404);
    const notFound = await get('/t/nobody/evidence');
    expect(notFound.statusCode).toBe(404);
    expect(notFound.headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await get('/t/plain/evidence.json')).statusCode).toBe(404);
    for (const slug of ['..%2f..%2fetc', '%00', 'a'.repeat(300), "x'or'1'='1", '%F0%9F%92%A9']) {
      const response = await get(`/t/${slug}/evidence.json`);
      expect(response.statusCode, slug).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, slug).toBeLessThan(500);
    }
  });
});
