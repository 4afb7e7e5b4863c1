import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { seedTenant } from '../../../test/support/fixtures.js';
import { AppError } from '../errors.js';
import { type Database, resultRows } from './client.js';
import { type AuditEntry, tenantTransaction } from './tenant-transaction.js';

const addRole = (key: string) =>
  sql`insert into roles (tenant_id, key, name, permissions)
      values (nullif(current_setting('app.tenant_id', true), '')::uuid, ${key}, 'R', '{}')`;

async function codeOf(promise: Promise<unknown>): Promise<AppError['code']> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return (error as AppError).code;
}

describe.each(testDatabaseKinds)('tenantTransaction on $name', (kind) => {
  let db: Database;
  let tenantId: string;
  const recorded: { tenantId: string; entry: AuditEntry<string>; at: Date }[] = [];
  const at = new Date('2026-03-04T05:06:07.000Z');

  beforeAll(async () => {
    db = await kind.create();
    tenantId = (await seedTenant(db, 'alpha', { publish: false })).tenant.id;
  });
  afterAll(async () => db?.close());

  const run = () =>
    tenantTransaction<string>({
      db,
      clock: () => at,
      audit: async (_tx, id, entry, when) => {
        recorded.push({ tenantId: id, entry, at: when });
      },
      errors: { constraints: { roles_tenant_id_key_key: 'role.in_use' } },
    });

  it("turns a unique violation into the module's code for that constraint", async () => {
    await run()({ tenantId }, (tx) => tx.execute(addRole('dup')));
    expect(await codeOf(run()({ tenantId }, (tx) => tx.execute(addRole('dup'))))).toBe('role.in_use');
  });

  it('answers an unnamed unique violation with a 409 and a failed check with a 400, never a 500', async () => {
    const plain = tenantTransaction({ db });
    await plain({ tenantId }, (tx) => tx.execute(addRole('twice')));
    const conflict = await codeOf(plain({ tenantId }, (tx) => tx.execute(addRole('twice'))));
    expect(conflict).toBe('request.conflict');
    expect(new AppError(conflict).status).toBe(409);
    const invalid = await codeOf(plain({ tenantId }, (tx) => tx.execute(addRole('Not A Key'))));
    expect(new AppError(invalid).status).toBe(400);
  });

  it("records audit events with the scope's actor and client and the clock's time, in the transaction", async () => {
    recorded.length = 0;
    const actor = { kind: 'user' as const, id: 'u-1' };
    await run()({ tenantId, actor, client: '192.0.2.0' }, async (tx, audit) => {
      await tx.execute(addRole('audited'));
      await audit.record('role.created', { type: 'role', id: 'audited' }, { permissions: [] });
      await audit.record('access_request.submitted', null, undefined, {
        actor: { kind: 'visitor', id: 'r-1' },
        client: null,
      });
    });
    expect(recorded).toEqual([
      {
        tenantId,
        at,
        entry: {
          action: 'role.created',
          actor,
          client: '192.0.2.0',
          target: { type: 'role', id: 'audited' },
          details: { permissions: [] },
        },
      },
      {
        tenantId,
        at,
        entry: {
          action: 'access_request.submitted',
          actor: { kind: 'visitor', id: 'r-1' },
          client: null,
          target: null,
          details: undefined,
        },
      },
    ]);
  });

  it('rolls the work back when it fails and retries only when asked', async () => {
    let attempts = 0;
    const failing = run()(
      { tenantId },
      async (tx) => {
        attempts += 1;
        await tx.execute(addRole('rolled-back'));
        await tx.execute(addRole('rolled-back'));
      },
      { retry: { attempts: 3, when: () => true } },
    );
    expect(await codeOf(failing)).toBe('role.in_use');
    expect(attempts).toBe(3);
    const rows = await run()({ tenantId }, (tx) =>
      tx.execute(sql`select count(*)::int as n from roles where key = 'rolled-back'`),
    );
    expect(resultRows<{ n: number }>(rows)[0]?.n).toBe(0);
  });
});
