import type { Tx } from '../../platform/db/client.js';
import { tenants } from './tenants.schema.js';

/**
 * Every tenant's id, whatever its state (platform role): the worker's per-tenant jobs (retention,
 * evidence) go through this list.
 */
export async function allTenantIds(tx: Tx): Promise<{ id: string }[]> {
  return tx.select({ id: tenants.id }).from(tenants);
}
