import { eq } from 'drizzle-orm';
import { isPermission, type Permission } from '../../platform/auth/context.js';
import { builtInRoles, isBuiltInRole } from '../../platform/auth/roles.js';
import type { Tx } from '../../platform/db/client.js';
import { roles } from './accounts.schema.js';

/** What a role (built-in or one of the tenant's custom roles) may do; null for an unknown role. */
export async function permissionsOfRole(tx: Tx, role: string): Promise<Permission[] | null> {
  if (isBuiltInRole(role)) return [...builtInRoles[role].permissions];
  const [row] = await tx
    .select({ permissions: roles.permissions })
    .from(roles)
    .where(eq(roles.key, role))
    .limit(1);
  return row ? row.permissions.filter(isPermission) : null;
}
