import { sql } from 'drizzle-orm';
import pg from 'pg';
import { AppError } from '../errors.js';
import { type Database, resultRows, type Tx } from './client.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The only way to touch tenant data. One transaction that switches to the non-privileged role
 * attest_app and sets app.tenant_id for this transaction only, so row-level security filters every
 * statement inside it. Connections in a pool never carry a tenant past the end of the transaction.
 * Both settings go in one round trip (set_config('role', …) is what SET LOCAL ROLE does).
 */
export async function withTenant<T>(
  db: Database,
  tenantId: string,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  if (!UUID.test(tenantId)) throw new AppError('tenant.not_found');
  return db.orm.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('role', 'attest_app', true), set_config('app.tenant_id', ${tenantId}, true)`,
    );
    return work(tx);
  });
}

/**
 * Cross-tenant platform work (provisioning, slug and host lookup, sign-in, the scheduler, mail
 * delivery, deletion). Runs as attest_platform, which is granted the platform tables and, of tenant
 * tables, only ids, states, dates and sealed data keys: decision 0003 lists every grant, and the
 * catalog test in tenancy.test.ts holds the list.
 */
export async function withPlatform<T>(db: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.orm.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('role', 'attest_platform', true), set_config('app.tenant_id', '', true)`,
    );
    return work(tx);
  });
}

/** A value written into SQL text (platformStatement takes no parameters). */
export function literal(value: string): string {
  return pg.escapeLiteral(value);
}

/**
 * One statement as attest_platform, for a path every request takes (the API rate limit). On
 * PostgreSQL the role switch and the statement travel as one simple query: one round trip instead
 * of BEGIN, the switch, the statement and COMMIT, and still one transaction, so the role ends
 * with it. Elsewhere (PGlite, one outer transaction) it is withPlatform. No parameters: put
 * values in with `literal`.
 */
export async function platformStatement<Row>(db: Database, statement: string): Promise<Row[]> {
  if (db.inOneRoundTrip) {
    return (await db.inOneRoundTrip(
      `select set_config('role', 'attest_platform', true), set_config('app.tenant_id', '', true); ${statement}`,
    )) as Row[];
  }
  return resultRows<Row>(await withPlatform(db, (tx) => tx.execute(sql.raw(statement))));
}

/**
 * One read of one tenant's rows in one round trip, for the API's hot reads: on PostgreSQL the
 * role and tenant switch and the statement travel as one simple query, one implicit transaction
 * that the settings end with, as in platformStatement; elsewhere it is withTenant. Row-level
 * security filters it exactly as inside withTenant. No parameters: put values in with `literal`.
 */
export async function tenantStatement<Row>(
  db: Database,
  tenantId: string,
  statement: string,
): Promise<Row[]> {
  if (!UUID.test(tenantId)) throw new AppError('tenant.not_found');
  if (db.inOneRoundTrip) {
    return (await db.inOneRoundTrip(
      `select set_config('role', 'attest_app', true), set_config('app.tenant_id', ${literal(tenantId)}, true); ${statement}`,
    )) as Row[];
  }
  return resultRows<Row>(await withTenant(db, tenantId, (tx) => tx.execute(sql.raw(statement))));
}
