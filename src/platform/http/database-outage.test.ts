import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTemplate } from '../../../test/support/database-templates.js';
import { freshPostgresDatabase, hasPostgres } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { startFaultProxy } from '../../../test/support/tcp-faults.js';
import { type App, createApp } from '../../app.js';
import { systemContext } from '../auth/context.js';
import { builtInRoles } from '../auth/roles.js';
import { Sealer } from '../crypto/sealing.js';
import { openDatabase } from '../db/client.js';

/**
 * The whole app on PostgreSQL reached through a proxy the test cuts: refused (the server is down,
 * every connection reset) and hanging (it accepts and never answers). The API answers 503 with
 * Retry-After and our error body, /readyz says not ready within 2 s, and the public pages go on
 * serving the last published snapshot from memory, the same bytes (decision 0023).
 */
describe.runIf(hasPostgres)('a database outage', () => {
  let fresh: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
  let app: App;
  let base = '';
  let authorization = '';
  const published = new Map<string, Buffer>();
  const pages = ['/t/outage/security', '/t/outage/security.json', '/t/outage'];

  beforeAll(async () => {
    const serverUrl = process.env.TEST_DATABASE_URL as string;
    fresh = await freshPostgresDatabase(await postgresTemplate(serverUrl));
    const server = new URL(fresh.url);
    proxy = await startFaultProxy({ host: server.hostname, port: Number(server.port || 5432) });
    const through = new URL(fresh.url);
    through.host = `127.0.0.1:${proxy.port}`;
    const db = await openDatabase({
      url: through.toString(),
      timeouts: { connectMs: 500, statementMs: 800, clientGraceMs: 300 },
    });
    app = await createApp({ db, sealer: new Sealer(randomBytes(32)), publicCacheMs: 200 });
    await app.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
    const tenant = await app.services.tenants.create({ slug: 'outage', name: 'Outage Ltd' });
    await app.services.transfer.importDraft(systemContext(tenant.id), sampleDocument('OUTAGE'), {
      publish: true,
    });
    authorization = `Bearer ${await app.tokens.mint({
      subject: '00000000-0000-4000-8000-000000000001',
      tenantId: tenant.id,
      permissions: [...builtInRoles.owner.permissions],
    })}`;
    for (const page of pages) {
      const response = await fetch(`${base}${page}`);
      expect(response.status).toBe(200);
      published.set(page, Buffer.from(await response.arrayBuffer()));
    }
    expect((await fetch(`${base}/api/v1/controls`, { headers: { authorization } })).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  afterAll(async () => {
    await proxy?.set('forward');
    await app?.close();
    await proxy?.close();
    await fresh?.drop();
  });

  async function expectUnavailable(response: Response) {
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body).toEqual({
      error: {
        code: 'service.unavailable',
        message: 'The service is briefly unavailable. Try again in a moment.',
        requestId: expect.any(String),
      },
    });
  }

  async function expectPublishedPagesServed() {
    // Past the revalidation period, so every page's check runs into the outage.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const page of pages) {
      const response = await fetch(`${base}${page}`);
      expect(response.status, page).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(published.get(page) as Buffer), page).toBe(
        true,
      );
    }
  }

  for (const mode of ['refuse', 'hang'] as const) {
    it(`answers 503 with Retry-After, and serves the published pages, when the database is ${mode === 'refuse' ? 'refused' : 'hanging'}`, async () => {
      await proxy.set(mode);
      try {
        const started = performance.now();
        const ready = await fetch(`${base}/readyz`);
        expect(performance.now() - started).toBeLessThan(2_000);
        expect(ready.status).toBe(503);
        expect(ready.headers.get('retry-after')).toBe('5');
        expect(await ready.json()).toMatchObject({ status: 'not_ready' });

        const apiStarted = performance.now();
        await expectUnavailable(await fetch(`${base}/api/v1/controls`, { headers: { authorization } }));
        expect(performance.now() - apiStarted).toBeLessThan(3_000);
        await expectUnavailable(
          await fetch(`${base}/bff/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:3000' },
            body: JSON.stringify({
              email: 'someone@example.com',
              password: 'x'.repeat(12),
              tenant: 'outage',
            }),
          }),
        );
        await expectPublishedPagesServed();
        // A trust center never loaded has nothing to fall back on: 503, not 500.
        await expectUnavailable(await fetch(`${base}/t/never-loaded/security`));
      } finally {
        await proxy.set('forward');
      }
      // Back: the next requests are served from the database again.
      await expect
        .poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 5_000, interval: 200 })
        .toBe(200);
      expect((await fetch(`${base}/api/v1/controls`, { headers: { authorization } })).status).toBe(200);
    });
  }
});
