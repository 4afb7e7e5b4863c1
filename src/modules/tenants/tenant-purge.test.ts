import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { filesUnder } from '../../../test/support/documents.js';
import { documentsApp } from '../../../test/support/documents-app.js';
import {
  buildFullTenant,
  rowsHolding,
  tenantRowCounts,
  tenantTables,
} from '../../../test/support/full-tenant.js';
import type { App } from '../../app.js';
import { resultRows } from '../../platform/db/client.js';
import { createFormRateLimiter } from '../../platform/http/form-rate-limit.js';
import { createScheduler } from '../../worker/scheduler.js';
import { users } from '../accounts/accounts.schema.js';
import { dataDeletion } from '../evidence/checks/data-deletion.js';
import { deleteTenantNow, TenantDeletionError } from './tenant-deletion.js';
import { DELETION_GRACE_MS } from './tenants.service.js';

const SHARED = 'consultant@both.example';

describe.each(testDatabaseKinds)('purging a tenant that has every kind of row on $name', (kind) => {
  const time = manualClock();
  let env: Awaited<ReturnType<typeof documentsApp>>;
  let app: App;
  let staying: Awaited<ReturnType<typeof buildFullTenant>>;
  const logLines: Record<string, unknown>[] = [];

  const scheduler = () =>
    createScheduler({
      db: app.db,
      services: app.services,
      limiter: createFormRateLimiter({ db: app.db, clock: time.clock }),
      dispatch: () => {},
      clock: time.clock,
      logger: pino(
        { level: 'error', base: undefined },
        {
          write: (line: string) => {
            logLines.push(JSON.parse(line));
          },
        },
      ),
    });
  const files = (tenantId: string) => filesUnder(env.blobDir).filter((file) => file.includes(tenantId));
  const accounts = async () =>
    (await app.db.orm.select({ email: users.email }).from(users)).map((row) => row.email);
  const check = () =>
    dataDeletion({
      db: app.db,
      clock: time.clock,
      tenantId: staying.tenant.id,
      vault: app.services.vault,
      sealer: env.sealer,
      transfer: app.services.transfer,
    });

  /** The fixture holds a row in every tenant table: a new table without one fails here. */
  async function expectEveryTableFilled(tenantId: string) {
    const counts = await tenantRowCounts(app, tenantId);
    const empty = Object.entries(counts)
      .filter(([, n]) => n === 0)
      .map(([table]) => table);
    expect(empty, 'tables the purge fixture (test/support/full-tenant.ts) gives no row').toEqual([]);
    expect(Object.keys(counts).length).toBe((await tenantTables(app)).length);
  }

  async function expectNothingLeft(tenantId: string, ownerEmail: string, ownerId?: string) {
    expect(await rowsHolding(app, tenantId)).toEqual({});
    // The owner's account went, and with it its second factor and recovery codes.
    if (ownerId) expect(await rowsHolding(app, ownerId)).toEqual({});
    expect(files(tenantId)).toEqual([]);
    const left = await accounts();
    expect(left).not.toContain(ownerEmail);
    expect(left).toContain(SHARED);
  }

  beforeAll(async () => {
    env = await documentsApp(kind, { clock: time.clock });
    app = env.app;
    staying = await buildFullTenant(app, 'staying', { sharedEmail: SHARED, clock: time.clock });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('the worker deletes a tenant closed with --days 0: no row, file or account of it remains', async () => {
    const leaving = await buildFullTenant(app, 'leaving', { sharedEmail: SHARED, clock: time.clock });
    await expectEveryTableFilled(leaving.tenant.id);
    expect(await rowsHolding(app, leaving.ownerId)).toMatchObject({ 'recovery_codes.user_id': 10 });
    expect(files(leaving.tenant.id)).toHaveLength(1);
    const stayingBefore = await tenantRowCounts(app, staying.tenant.id);

    await app.services.tenants.close('leaving', 0, time.clock());
    time.advance(1);
    expect((await scheduler().tick()).tenantsDeleted).toBe(1);

    await expectNothingLeft(leaving.tenant.id, 'owner@leaving.example', leaving.ownerId);
    expect(await app.services.tenants.findById(leaving.tenant.id)).toBeNull();
    expect(await tenantRowCounts(app, staying.tenant.id)).toEqual(stayingBefore);
    expect(files(staying.tenant.id)).toHaveLength(1);
    expect(logLines.filter((line) => line.msg === 'deleting a closed tenant failed')).toEqual([]);
    expect((await check()).status).toBe('pass');
  });

  it('tenant delete --confirm (deleteTenantNow) removes the same, at once', async () => {
    const gone = await buildFullTenant(app, 'deleted-now', { sharedEmail: SHARED, clock: time.clock });
    await expectEveryTableFilled(gone.tenant.id);
    expect(await deleteTenantNow(app.db, app.services.vault, gone.tenant.id)).toEqual({
      deleted: true,
      files: 1,
    });
    await expectNothingLeft(gone.tenant.id, 'owner@deleted-now.example', gone.ownerId);
  });

  it('a deletion the database refuses keeps the data, logs why without values, and fails the evidence check', async () => {
    const stuck = await buildFullTenant(app, 'stuck', { clock: time.clock });
    // A table outside the product that points at the tenant and does not cascade, as a foreign key
    // added by hand would: the deletion fails on it.
    await app.db.orm.execute(sql.raw('create table purge_blocker (tenant_id uuid references tenants (id))'));
    await app.db.orm.execute(sql`insert into purge_blocker values (${stuck.tenant.id})`);
    try {
      await app.services.tenants.close('stuck', 0, time.clock());
      time.advance(1);
      expect((await scheduler().tick()).tenantsDeleted).toBe(0);

      const failure = logLines.find((line) => line.msg === 'deleting a closed tenant failed');
      expect(failure).toMatchObject({
        tenantId: stuck.tenant.id,
        err: { code: '23503', constraint: 'purge_blocker_tenant_id_fkey', table: 'purge_blocker' },
      });
      // Names only: no key values, no message or detail from the database.
      expect(JSON.stringify(failure?.err)).not.toContain(stuck.tenant.id);
      expect(JSON.stringify(failure)).not.toMatch(/detail|still referenced/i);
      expect(await tenantRowCounts(app, stuck.tenant.id)).toMatchObject({ documents: 1, memberships: 1 });
      expect((await app.services.tenants.findById(stuck.tenant.id))?.deletionError).toBe(
        '23503 purge_blocker_tenant_id_fkey on purge_blocker',
      );
      await expect(deleteTenantNow(app.db, app.services.vault, stuck.tenant.id)).rejects.toThrow(
        TenantDeletionError,
      );

      // Within the grace the worker may still catch up; after it, the claim is false and says so.
      expect((await check()).status).toBe('pass');
      time.advance(DELETION_GRACE_MS + 1);
      const failing = await check();
      expect(failing).toMatchObject({
        status: 'fail',
        facts: { closingTrustCenters: 1, overdueDeletions: 1, refusedDeletions: 1 },
      });
      expect(failing.summary).toContain('1 closed trust center is past the deletion date');
      expect(failing.summary).not.toContain(stuck.tenant.id);
    } finally {
      await app.db.orm.execute(sql.raw('drop table purge_blocker'));
    }
    // Once the cause is gone, the next tick deletes it and the check passes again.
    expect((await scheduler().tick()).tenantsDeleted).toBe(1);
    await expectNothingLeft(stuck.tenant.id, 'owner@stuck.example');
    expect((await check()).status).toBe('pass');
  });

  it('no foreign key in the schema can block deleting its parent: each cascades, sets null or is checked at commit', async () => {
    const keys = resultRows<{ name: string; action: string; deferred: boolean }>(
      await app.db.orm.execute(sql`
        select conname as name, confdeltype as action, condeferred as deferred from pg_constraint
        where contype = 'f' and connamespace = 'public'::regnamespace order by conname`),
    );
    expect(keys.length).toBeGreaterThan(30);
    // c: cascade, n: set null, d: set default. A NO ACTION key checked at commit cannot fail a
    // deletion that also removes the rows pointing at it; checked per statement, it can (0004's NDA key did).
    const blocking = keys.filter((key) => !['c', 'n', 'd'].includes(key.action) && !key.deferred);
    expect(blocking).toEqual([]);
  });
});
