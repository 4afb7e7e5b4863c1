import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { filesUnder, multipart, samplePdf } from '../../../test/support/documents.js';
import { documentsApp, PUBLIC_URL, publishedTenant } from '../../../test/support/documents-app.js';
import type { App } from '../../app.js';
import { resultRows } from '../../platform/db/client.js';
import { createFormRateLimiter } from '../../platform/http/form-rate-limit.js';
import { createLogger } from '../../platform/logging/logger.js';
import { createScheduler } from '../../worker/scheduler.js';
import { users } from '../accounts/accounts.schema.js';

const DAY = 86_400_000;

describe.each(testDatabaseKinds)('closing a tenant at contract end on $name', (kind) => {
  const time = manualClock();
  let env: Awaited<ReturnType<typeof documentsApp>>;
  let app: App;
  let leaving: Awaited<ReturnType<typeof publishedTenant>>;
  let staying: Awaited<ReturnType<typeof publishedTenant>>;

  const api = (tenant: { authorization: string }, method: string, url: string, payload?: object) =>
    app.server.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: { authorization: tenant.authorization },
      ...(payload ? { payload } : {}),
    });

  async function upload(tenant: { authorization: string }) {
    const body = multipart(
      { title: 'SOC 2 report', category: 'certification_report', accessLevel: 'gated' },
      { filename: 'soc2.pdf', data: await samplePdf('SOC 2 Type II') },
    );
    const response = await app.server.inject({
      method: 'POST',
      url: '/api/v1/documents',
      headers: { authorization: tenant.authorization, ...body.headers },
      payload: body.payload,
    });
    expect(response.statusCode, response.body).toBe(201);
  }

  /** Rows of the tenant in every table that has a tenant_id column (the superuser sees all). */
  async function rowsOf(tenantId: string): Promise<Record<string, number>> {
    const tables = resultRows<{ table: string }>(
      await app.db.orm.execute(sql`
        select table_name as table from information_schema.columns
        where column_name = 'tenant_id' and table_schema = 'public' order by table_name`),
    );
    const counts: Record<string, number> = {};
    for (const { table } of tables) {
      const [row] = resultRows<{ n: number }>(
        await app.db.orm.execute(
          sql`select count(*)::int as n from ${sql.identifier(table)} where tenant_id = ${tenantId}`,
        ),
      );
      if (row && row.n > 0) counts[table] = row.n;
    }
    return counts;
  }

  beforeAll(async () => {
    env = await documentsApp(kind, { clock: time.clock });
    app = env.app;
    leaving = await publishedTenant(app, 'leaving');
    staying = await publishedTenant(app, 'staying');
    await upload(leaving);
    await upload(staying);
    await app.services.members.add(leaving.system, {
      email: 'owner@leaving.example',
      role: 'owner',
      password: 'a long and unusual passphrase 4471',
    });
    // Someone who works on both trust centers keeps the account when one of them is deleted.
    for (const tenant of [leaving, staying]) {
      await app.services.members.add(tenant.system, {
        email: 'consultant@both.example',
        role: 'editor',
        password: 'a long and unusual passphrase 4471',
      });
    }
  });
  afterAll(async () => {
    await env?.close();
  });

  it('is read-only while closing: changes refused, reading, export and revocations still work', async () => {
    const { token: invitation } = await app.services.members.invite(leaving.system, {
      email: 'late.joiner@leaving.example',
      role: 'viewer',
    });
    // The public site is in memory before the closing, as on a running server.
    expect((await app.server.inject({ url: '/t/leaving/subscribe' })).statusCode).toBe(200);
    await app.services.tenants.close('leaving', 30, time.clock());
    const [control] = (await api(leaving, 'GET', '/controls')).json().items;
    const refused = await api(leaving, 'PATCH', `/controls/${control.id}`, { title: 'Changed' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('tenant.read_only');
    expect((await api(leaving, 'POST', '/publish')).statusCode).toBe(409);
    expect((await api(leaving, 'GET', '/export')).statusCode).toBe(200);
    expect((await api(leaving, 'GET', `/controls/${control.id}`)).json().title).not.toBe('Changed');
    // Taking access away is not a change it refuses (an unknown grant is simply not found).
    expect((await api(leaving, 'DELETE', '/grants/00000000-0000-4000-8000-000000000000')).statusCode).toBe(
      404,
    );
    // The public pages stay up and say the trust center is closing; the forms take nothing new.
    const security = await app.server.inject({ url: '/t/leaving/security' });
    expect(security.statusCode).toBe(200);
    expect(security.body).toContain('This trust center is closing.');
    expect((await app.server.inject({ url: '/t/leaving/subscribe' })).body).toContain(
      'no longer takes document requests or subscriptions',
    );
    expect((await app.server.inject({ url: '/t/staying/security' })).body).not.toContain(
      'This trust center is closing',
    );
    const subscribe = await app.server.inject({
      method: 'POST',
      url: '/t/leaving/subscribe',
      headers: { origin: PUBLIC_URL, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=reader%40customer.example&topics=all',
    });
    expect(subscribe.statusCode).toBe(409);
    expect(subscribe.body).toContain('closing');
    // It gains no members either: an invitation sent before the closing cannot be accepted.
    const accepted = await app.server.inject({
      method: 'POST',
      url: '/bff/invitations/accept',
      headers: { origin: PUBLIC_URL },
      payload: { tenant: 'leaving', token: invitation, password: 'a long and unusual passphrase 4471' },
    });
    expect(accepted.statusCode).toBe(409);
    expect((await app.services.members.list(leaving.system)).map((member) => member.email)).not.toContain(
      'late.joiner@leaving.example',
    );
    // Another tenant is not affected.
    const [other] = (await api(staying, 'GET', '/controls')).json().items;
    expect((await api(staying, 'PATCH', `/controls/${other.id}`, { title: 'Still mine' })).statusCode).toBe(
      200,
    );
  });

  it('is deleted by the worker when the period ends: every row of it and its files, nothing of the other', async () => {
    const before = await rowsOf(leaving.tenant.id);
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining(['controls', 'documents', 'tenant_keys', 'memberships']),
    );
    const stayingBefore = await rowsOf(staying.tenant.id);
    const files = () => filesUnder(env.blobDir).filter((file) => file.includes(leaving.tenant.id));
    expect(files()).toHaveLength(1);

    const scheduler = createScheduler({
      db: app.db,
      services: app.services,
      limiter: createFormRateLimiter({ db: app.db, clock: time.clock }),
      dispatch: () => {},
      clock: time.clock,
      logger: createLogger('silent'),
    });
    time.advance(29 * DAY);
    expect((await scheduler.tick()).tenantsDeleted).toBe(0);
    time.advance(1 * DAY + 1);
    expect((await scheduler.tick()).tenantsDeleted).toBe(1);

    expect(await rowsOf(leaving.tenant.id)).toEqual({});
    const accounts = (await app.db.orm.select({ email: users.email }).from(users)).map((row) => row.email);
    expect(accounts).not.toContain('owner@leaving.example');
    expect(accounts).toContain('consultant@both.example');
    expect(await app.services.tenants.findById(leaving.tenant.id)).toBeNull();
    expect(files()).toEqual([]);
    expect((await app.server.inject({ url: '/t/leaving/security' })).statusCode).toBe(404);
    expect(await rowsOf(staying.tenant.id)).toEqual(stayingBefore);
    expect((await app.server.inject({ url: '/t/staying/security' })).statusCode).toBe(200);
  });
});
