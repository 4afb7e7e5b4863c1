import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/app.js';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { sampleDocument } from '../../test/support/fixtures.js';
import { systemContext } from '../platform/auth/context.js';

describe.each(testDatabaseKinds)('public trust center on $name', (kind) => {
  const holder = useTestApp(kind, { publicCacheMs: 60_000 });
  const get = (url: string, headers: Record<string, string> = {}) =>
    holder.app.server.inject({ method: 'GET', url, headers });

  async function createTenant(slug: string, publish: boolean, customDomain?: string) {
    const { services } = holder.app;
    const tenant = await services.tenants.create({
      slug,
      name: `${slug} Inc`,
      ...(customDomain ? { customDomain } : {}),
    });
    const ctx = systemContext(tenant.id, 'test');
    await services.transfer.importDraft(ctx, sampleDocument(slug.toUpperCase()), { publish });
    return { tenant, ctx };
  }

  it('serves the published security page as HTML, JSON and Markdown that agree', async () => {
    await createTenant('acme', true);
    const html = await get('/t/acme/security');
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body).toContain('2 Controls');
    expect(html.body).toContain('ACME TLS everywhere');

    const json = await get('/t/acme/security.json');
    expect(json.statusCode).toBe(200);
    const data = json.json();
    expect(data.categories.map((category: { name: string }) => category.name)).toEqual([
      'ACME Infrastructure',
    ]);
    expect(
      data.categories[0].controls.map((control: { title: string; status: string }) => [
        control.title,
        control.status,
      ]),
    ).toEqual([
      ['ACME TLS everywhere', 'implemented'],
      ['ACME Backups', 'in_progress'],
    ]);

    const markdown = await get('/t/acme/security.md');
    expect(markdown.headers['content-type']).toBe('text/markdown; charset=utf-8');
    for (const title of ['ACME TLS everywhere', 'ACME Backups']) expect(markdown.body).toContain(title);

    for (const page of [
      '/t/acme',
      '/t/acme/subprocessors',
      '/t/acme/faq',
      '/t/acme/faq.json',
      '/t/acme/subprocessors.md',
    ]) {
      expect((await get(page)).statusCode, page).toBe(200);
    }
  });

  it('never shows the draft: an edit is invisible until it is published', async () => {
    const { ctx } = await createTenant('drafty', true);
    const { services } = holder.app;
    const [control] = await services.controls.listControls(ctx);
    await services.controls.updateControl(ctx, control?.id ?? '', { title: 'Secret unreleased control' });
    await services.faq.create(ctx, {
      key: 'draft-faq',
      question: 'Unpublished question?',
      answer: 'Not yet.',
    });

    for (const url of [
      '/t/drafty/security',
      '/t/drafty/security.json',
      '/t/drafty/security.md',
      '/t/drafty/faq',
      '/t/drafty/faq.json',
    ]) {
      const response = await get(url);
      expect(response.body, url).not.toContain('Secret unreleased control');
      expect(response.body, url).not.toContain('Unpublished question');
    }
    const before = await get('/t/drafty/security');

    await services.publishing.publish(ctx);
    const after = await get('/t/drafty/security');
    expect(after.body).toContain('Secret unreleased control');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect((await get('/t/drafty/faq.json')).body).toContain('Unpublished question');
  });

  it('a tenant that never published, a suspended or an unknown tenant is a 404 page', async () => {
    await createTenant('unpublished', false);
    for (const url of [
      '/t/unpublished/security',
      '/t/nobody/security',
      '/t/nobody',
      '/t/acme/nonsense',
      '/t/acme/security.xml',
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    }
  });

  it('answers hostile slugs and hosts with 404, never 500', async () => {
    const hostile = [
      '/t/..%2F..%2Fetc%2Fpasswd/security',
      "/t/'%20OR%201=1--/security",
      '/t/%00/security',
      `/t/${'a'.repeat(300)}/security`,
      '/t/ACME/security',
      '/t/acme%0d%0aSet-Cookie:%20x=1/security',
      '/t/%F0%9F%92%A9/security',
      '/t/%E0%A4%A/security',
      '/t/acme/security.json%00',
    ];
    for (const url of hostile) {
      const response = await get(url);
      expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, url).toBeLessThan(500);
    }
    for (const host of [
      'evil.example',
      'a..b',
      '[::1]',
      `${'x'.repeat(300)}.com`,
      "'; drop table tenants;--",
      'localhost:99999',
    ]) {
      const response = await get('/security', { host });
      expect(response.statusCode, host).toBe(404);
    }
  });

  it('serves a tenant on its custom domain at the root, and only that tenant there', async () => {
    await createTenant('domained', true, 'trust.domained.example');
    const overview = await get('/', { host: 'trust.domained.example' });
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('DOMAINED');
    const security = await get('/security.json', { host: 'Trust.Domained.example:443' });
    expect(security.statusCode).toBe(200);
    expect(security.json().categories[0].name).toBe('DOMAINED Infrastructure');
    // Another tenant's pages are not reachable through this tenant's domain.
    expect((await get('/t/acme/security', { host: 'trust.domained.example' })).statusCode).toBe(404);
  });

  it('sends security headers, ETags with 304, and compressed bodies', async () => {
    const response = await get('/t/acme/security', { 'accept-encoding': 'br, gzip' });
    expect(response.headers['content-encoding']).toBe('br');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBeDefined();
    expect(response.headers['permissions-policy']).toContain('camera=()');

    const plain = await get('/t/acme/security');
    const etag = String(plain.headers.etag);
    const again = await get('/t/acme/security', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const gzip = await get('/t/acme/security', { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.headers.vary).toContain('Accept-Encoding');

    const stylesheet = plain.body.match(/href="(\/assets\/site\.[0-9a-f]+\.css)"/)?.[1];
    expect(stylesheet).toBeDefined();
    const css = await get(stylesheet ?? '');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('reports health and readiness', async () => {
    expect((await get('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await get('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: true, migrations: true } });
  });
});
