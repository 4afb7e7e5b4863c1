import { and, eq, lte } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.js';
import { subprocessorChanges } from './subprocessor-changes.schema.js';

/**
 * The tenants with a scheduled change whose effective date (YYYY-MM-DD, UTC) is `today` or
 * earlier (platform role: ids and dates only); the worker applies them under each tenant's RLS.
 */
export async function tenantsWithChangesDue(tx: Tx, today: string): Promise<{ tenantId: string }[]> {
  return tx
    .selectDistinct({ tenantId: subprocessorChanges.tenantId })
    .from(subprocessorChanges)
    .where(and(eq(subprocessorChanges.state, 'scheduled'), lte(subprocessorChanges.effectiveOn, today)));
}
