import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { seedTenant } from '../../../test/support/fixtures.js';
import { ServiceContext } from '../../platform/auth/context.js';
import type { Database } from '../../platform/db/client.js';
import { AppError } from '../../platform/errors.js';

/**
 * API keys used to open their transactions with a bare withTenant, so any database conflict left
 * as a 500. The schema has no conflict a caller can reach by design, so the test adds one (names
 * unique per tenant) to stand for the constraint a future migration will bring.
 */
describe.each(testDatabaseKinds)('API key conflicts on $name', (kind) => {
  let db: Database;
  let seeded: Awaited<ReturnType<typeof seedTenant>>;

  beforeAll(async () => {
    db = await kind.create();
    seeded = await seedTenant(db, 'alpha', { publish: false });
    await db.orm.execute(sql`create unique index api_keys_name_per_tenant on api_keys (tenant_id, name)`);
  });
  afterAll(async () => db?.close());

  it('answers a unique violation with a 409 and changes nothing', async () => {
    const { services, ctx } = seeded;
    const input = { name: 'deploy', scopes: ['content:read' as const] };
    await services.apiKeys.create(ctx, input);
    const error = await services.apiKeys.create(ctx, input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(409);
    expect((error as AppError).code).toBe('request.conflict');
    expect((await services.apiKeys.list(ctx)).filter((key) => key.name === 'deploy')).toHaveLength(1);
  });
});

/**
 * What a presented key may do: a key the system made acts with its scopes; a person's key never
 * with more than the person's role holds now, and not at all once the person left; a revoked or
 * expired key is nobody. Its last use is noted, at most once a minute.
 */
describe.each(testDatabaseKinds)('API key authentication on $name', (kind) => {
  let db: Database;
  let seeded: Awaited<ReturnType<typeof seedTenant>>;
  let personCtx: ServiceContext;
  let personId = '';

  beforeAll(async () => {
    db = await kind.create();
    seeded = await seedTenant(db, 'keys', { publish: false });
    const { services, ctx } = seeded;
    personId = (
      await services.members.add(ctx, {
        email: 'lead@keys.example',
        role: 'admin',
        password: 'Tq8#vLm2$Rz9!pWx4&Kd-umbrella',
      })
    ).userId;
    personCtx = new ServiceContext(ctx.tenantId, { kind: 'user', id: personId }, [
      'api_keys:manage',
      'api_keys:read',
      'content:read',
      'content:write',
    ]);
  });
  afterAll(async () => db?.close());

  const lastUsed = async (id: string) =>
    (await seeded.services.apiKeys.list(seeded.ctx)).find((key) => key.id === id)?.lastUsedAt ?? null;

  it("acts with a system key's scopes, notes its use, and refuses it once revoked", async () => {
    const { services, ctx } = seeded;
    const key = await services.apiKeys.create(ctx, { name: 'sync', scopes: ['content:read'] });
    expect(await lastUsed(key.key.id)).toBeNull();
    const acting = await services.apiKeys.authenticate(key.secret, '203.0.113.0');
    expect(acting?.tenantId).toBe(ctx.tenantId);
    expect(acting?.actor).toEqual({ kind: 'api_key', id: key.key.id });
    expect(acting?.can('content:read')).toBe(true);
    expect(acting?.can('content:write')).toBe(false);
    expect(await lastUsed(key.key.id)).not.toBeNull();
    await services.apiKeys.revoke(ctx, key.key.id);
    expect(await services.apiKeys.authenticate(key.secret, null)).toBeNull();
    // Another tenant's prefix with this secret finds nothing.
    const forged = key.secret.replace(/^attest_[0-9a-f]{32}/, `attest_${'0'.repeat(32)}`);
    expect(await services.apiKeys.authenticate(forged, null)).toBeNull();
  });

  it('refuses an expired key', async () => {
    const { services, ctx } = seeded;
    const key = await services.apiKeys.create(ctx, { name: 'short', scopes: ['content:read'] });
    await db.orm.execute(
      sql`update api_keys set expires_at = now() - interval '1 second' where id = ${key.key.id}`,
    );
    expect(await services.apiKeys.authenticate(key.secret, null)).toBeNull();
  });

  it("cuts a person's key to the person's role now, and ends it when the person leaves", async () => {
    const { services, ctx } = seeded;
    const key = await services.apiKeys.create(personCtx, {
      name: 'mine',
      scopes: ['content:read', 'content:write'],
    });
    expect((await services.apiKeys.authenticate(key.secret, null))?.can('content:write')).toBe(true);
    await services.members.changeRole(ctx, personId, { role: 'viewer' });
    const demoted = await services.apiKeys.authenticate(key.secret, null);
    expect(demoted?.can('content:read')).toBe(true);
    expect(demoted?.can('content:write')).toBe(false);
    expect(demoted?.onBehalfOf).toBe(personId);
    await services.members.remove(ctx, personId);
    expect(await services.apiKeys.authenticate(key.secret, null)).toBeNull();
  });
});
