import { eq } from 'drizzle-orm';
import { isPermission, type Permission, type ServiceContext } from '../../platform/auth/context.js';
import { builtInRoles, isBuiltInRole } from '../../platform/auth/roles.js';
import type { Tx } from '../../platform/db/client.js';
import { AppError } from '../../platform/errors.js';
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

/**
 * Nobody acts above themselves: changing, removing or revoking something (a member, an
 * invitation, a role, an API key) that holds a right the actor lacks is refused, so a member
 * manager cannot demote an admin or take away an owner's key. An unknown role grants nothing.
 */
export function assertHoldsAll(ctx: ServiceContext, held: readonly string[]): void {
  if (!ctx.holdsAll(held)) throw new AppError('auth.forbidden');
}

export async function assertHoldsRole(tx: Tx, ctx: ServiceContext, role: string): Promise<void> {
  assertHoldsAll(ctx, (await permissionsOfRole(tx, role)) ?? []);
}
