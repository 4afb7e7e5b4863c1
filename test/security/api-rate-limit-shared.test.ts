import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { systemContext } from '../../src/platform/auth/context.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import { type Database, openDatabase, resultRows } from '../../src/platform/db/client.js';
import { TENANT_MULTIPLE } from '../../src/platform/http/api-rate-limit.js';
import { pruneApiRateLimits } from '../../src/platform/http/api-rate-limit-db.js';
import { postgresTemplate } from '../support/database-templates.js';
import { freshPostgresDatabase, type TestDatabaseKind, testDatabaseKinds } from '../support/databases.js';

const LIMIT = 3;

/**
 * Issue 10, item 5: the API limit counted in each process's memory let N web processes allow N
 * times the limit. The counters are in the database now, so two apps on one database (two pools
 * on PostgreSQL, like two `--role web` processes) spend one budget.
 */
async function twoApps(kind: TestDatabaseKind, now: () => number) {
  const sealer = new Sealer(randomBytes(32));
  let first: Database;
  let second: Database;
  let drop = async () => {};
  if (kind.name === 'postgres') {
    const server = process.env.TEST_DATABASE_URL ?? '';
    const fresh = await freshPostgresDatabase(await postgresTemplate(server));
    first = await openDatabase({ url: fresh.url });
    second = await openDatabase({ url: fresh.url });
    drop = fresh.drop;
  } else {
    first = await kind.create();
    second = { ...first, close: async () => {} }; // one embedded database, closed by the first app
  }
  const options = { sealer, publicCacheMs: 0, apiRequestsPerMinute: LIMIT, rateLimitNow: now };
  const apps = [await createApp({ db: first, ...options }), await createApp({ db: second, ...options })];
  return {
    apps: apps as [App, App],
    db: first,
    async close() {
      for (const app of apps) await app.close();
      await drop();
    },
  };
}

describe.each(testDatabaseKinds)('API rate limits shared by two processes on $name', (kind) => {
  let now = 1_000_000;
  let world: Awaited<ReturnType<typeof twoApps>>;
  const keys: string[] = [];

  const api = (app: App, key: string) =>
    app.server.inject({
      method: 'GET',
      url: '/api/v1/controls',
      headers: { authorization: `Bearer ${key}` },
    });

  beforeAll(async () => {
    world = await twoApps(kind, () => now);
    const { services } = world.apps[0];
    const tenantId = (await services.tenants.create({ slug: 'shared', name: 'Shared Ltd' })).id;
    const ctx = systemContext(tenantId, 'shared-limit-test');
    for (let index = 0; index <= TENANT_MULTIPLE; index += 1) {
      keys.push(
        (await services.apiKeys.create(ctx, { name: `Key ${index}`, scopes: ['content:read'] })).secret,
      );
    }
  });
  afterAll(async () => {
    await world?.close();
  });

  it('a key over its budget gets 429 from both processes, whichever it spent the budget on', async () => {
    const [a, b] = world.apps;
    const key = keys[0] ?? '';
    const spent = [await api(a, key), await api(b, key), await api(a, key)];
    expect(spent.map((answer) => answer.statusCode)).toEqual([200, 200, 200]);
    expect(spent.map((answer) => answer.headers['ratelimit-remaining'])).toEqual(['2', '1', '0']);
    for (const app of [b, a]) {
      const refused = await api(app, key);
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error.code).toBe('rate.limited');
      expect(refused.headers['retry-after']).toBe('60');
      expect(refused.headers['ratelimit-limit']).toBe(String(LIMIT));
      expect(refused.headers['ratelimit-remaining']).toBe('0');
    }
    // The next minute, the budget is full again, on both.
    now += 60_000;
    expect((await api(b, key)).headers['ratelimit-remaining']).toBe(String(LIMIT - 1));
    expect((await api(a, key)).headers['ratelimit-remaining']).toBe(String(LIMIT - 2));
  });

  it("a tenant's budget is one across processes too", async () => {
    now += 60_000;
    const [a, b] = world.apps;
    // Every key but the last spends its own budget, half on each process: the tenant's is then spent.
    for (const key of keys.slice(0, TENANT_MULTIPLE)) {
      for (let request = 0; request < LIMIT; request += 1) {
        expect((await api(request % 2 ? a : b, key)).statusCode).toBe(200);
      }
    }
    for (const app of [a, b]) {
      const refused = await api(app, keys.at(-1) ?? '');
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['ratelimit-limit']).toBe(String(LIMIT * TENANT_MULTIPLE));
    }
  });

  it('the scheduler forgets counters whose window ended', async () => {
    const rows = async () =>
      resultRows<{ n: number }>(
        await world.db.orm.execute(sql`select count(*)::int as n from api_rate_limits`),
      )[0]?.n ?? 0;
    expect(await rows()).toBeGreaterThan(0);
    expect(await pruneApiRateLimits(world.db, new Date(now + 60_000))).toBe(0);
    expect(await pruneApiRateLimits(world.db, new Date(now + 120_001))).toBeGreaterThan(0);
    expect(await rows()).toBe(0);
  });
});
