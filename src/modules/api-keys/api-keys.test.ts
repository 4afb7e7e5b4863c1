import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { seedTenant } from '../../../test/support/fixtures.js';
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
