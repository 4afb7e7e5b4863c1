import { sql } from 'drizzle-orm';
import { resultRows, type Tx } from '../../platform/db/client.js';

/** Tenants with a check of their own hosts due (platform role: tenant ids and dates only). */
export async function tenantsWithHostChecksDue(tx: Tx, now: Date): Promise<{ tenantId: string }[]> {
  const rows = resultRows<{ tenant_id: string }>(
    await tx.execute(
      sql`select distinct tenant_id from host_checks where next_run_at <= ${now.toISOString()}::timestamptz limit 1000`,
    ),
  );
  return rows.map((row) => ({ tenantId: row.tenant_id }));
}
