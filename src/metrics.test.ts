import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, hasPostgres } from '../test/support/databases.js';
import { sampleDocument } from '../test/support/fixtures.js';
import { systemContext } from './platform/auth/context.js';
import { loadConfig } from './platform/config.js';
import { FAST_PATH_ROUTE } from './platform/http/server.js';
import { createLogger } from './platform/logging/logger.js';
import { type RunningApp, startApp } from './processes.js';

const logger = createLogger('silent');
const VISITOR_EMAIL = 'curious.person@personal.example';
const TENANT_NAME = 'Metrics Example Corporation';

/** One Prometheus sample's value, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    if (Object.entries(labels).every(([key, value]) => inner.includes(`${key}="${value}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

describe.each([
  { kind: 'embedded', postgres: false },
  ...(hasPostgres ? [{ kind: 'postgres', postgres: true }] : []),
])('/metrics of a running process ($kind database)', ({ postgres }) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-metrics-'));
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
  let app: RunningApp;
  let base: string;
  let metricsUrl: string;

  beforeAll(async () => {
    database = postgres ? await freshPostgresDatabase() : undefined;
    const config = loadConfig({
      ATTEST_DATA_DIR: dataDir,
      ATTEST_MASTER_KEY: randomBytes(32).toString('base64'),
      ATTEST_METRICS_PORT: '0',
      NODE_ENV: 'test',
      ...(database ? { DATABASE_URL: database.url } : {}),
    });
    app = await startApp(config, logger, 'all');
    await app.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
    metricsUrl = `http://127.0.0.1:${app.metricsPort}/metrics`;
    const tenant = await app.services.tenants.create({ slug: 'metered', name: TENANT_NAME });
    await app.services.transfer.importDraft(systemContext(tenant.id, 'test'), sampleDocument('Metered'), {
      publish: true,
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts responses by route pattern and status, the public pages served from memory too', async () => {
    for (let round = 0; round < 3; round += 1) {
      expect((await fetch(`${base}/t/metered/security`)).status).toBe(200);
    }
    expect((await fetch(`${base}/api/v1/controls`)).status).toBe(401);
    const text = await (await fetch(metricsUrl)).text();
    const routed =
      sample(text, 'attest_http_requests_total', { route: '/t/:slug/:page', status: '200' }) ?? 0;
    const fromMemory =
      sample(text, 'attest_http_requests_total', { route: FAST_PATH_ROUTE, status: '200' }) ?? 0;
    expect(routed + fromMemory).toBe(3);
    expect(fromMemory).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'attest_http_requests_total', { route: '/api/v1/controls', status: '401' })).toBe(1);
    expect(text).toMatch(/attest_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/controls"/);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds\{/m);
  });

  it('counts failed and throttled sign-ins without the address, the tenant or the URL in any label', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const response = await fetch(`${base}/bff/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: base },
        body: JSON.stringify({
          email: VISITOR_EMAIL,
          password: 'not the password at all',
          tenant: 'metered',
        }),
      });
      statuses.push(response.status);
    }
    expect(statuses).toContain(429);
    const text = await (await fetch(metricsUrl)).text();
    expect(sample(text, 'attest_sign_in_failures_total', { reason: 'credentials' })).toBe(
      statuses.filter((status) => status === 401).length,
    );
    expect(sample(text, 'attest_sign_in_failures_total', { reason: 'throttled' })).toBe(
      statuses.filter((status) => status === 429).length,
    );
    expect(sample(text, 'attest_rate_limit_refusals_total', { code: 'auth.throttled' })).toBeGreaterThan(0);
    for (const personal of [VISITOR_EMAIL, 'personal.example', TENANT_NAME, 'metered', '/t/metered']) {
      expect(text).not.toContain(personal);
    }
  });

  it('reads the outbox and the job queue from the database, and the pool on PostgreSQL', async () => {
    const [tenant] = (await app.services.tenants.list()).filter((each) => each.slug === 'metered');
    await app.services.evidence.runForTenant(tenant?.id ?? '', ['tenant-isolation']);
    const text = await (await fetch(metricsUrl)).text();
    expect(text).toContain('# TYPE attest_mail_outbox gauge');
    expect(text).toContain('# TYPE attest_jobs gauge');
    if (postgres) expect(sample(text, 'attest_db_pool_connections', { state: 'max' })).toBe(10);
    expect(sample(text, 'attest_evidence_checks_total', { check: 'tenant-isolation', status: 'pass' })).toBe(
      1,
    );
  });

  it('is served only on its own port: not on the public one, and nothing else on its own', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(metricsUrl.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(405);
    const response = await fetch(metricsUrl);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
