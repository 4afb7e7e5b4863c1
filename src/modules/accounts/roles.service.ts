import { asc, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import { builtInRoles, isBuiltInRole } from '../../platform/auth/roles.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { auditLog } from '../audit/audit.service.js';
import { roleInput, roleKey, roleUpdateInput } from './accounts.contract.js';
import { memberships, roles } from './accounts.schema.js';
import './accounts.errors.js';

/** A role's permissions, read in the caller's transaction (sign-in, API keys). */
export { assertHoldsAll, permissionsOfRole } from './role-permissions.js';

import { assertHoldsAll } from './role-permissions.js';

export interface RoleView {
  key: string;
  name: string;
  builtIn: boolean;
  permissions: string[];
}

/**
 * Built-in roles plus the tenant's custom roles; custom roles never exceed their creator, and
 * nobody changes or deletes a role that holds a right they lack (that would demote its members).
 */
export function createRolesService({ db, clock }: { db: Database; clock: Clock }) {
  const run = tenantTransaction({
    db,
    clock,
    audit: auditLog,
    errors: { codes: { '23505': 'content.key_taken', '23503': 'content.not_found' } },
  });

  return {
    async list(ctx: ServiceContext): Promise<RoleView[]> {
      ctx.require('members:read');
      const custom = await run(ctx, (tx) => tx.select().from(roles).orderBy(asc(roles.key)));
      return [
        ...Object.entries(builtInRoles).map(([key, role]) => ({
          key,
          name: role.name,
          builtIn: true,
          permissions: [...role.permissions],
        })),
        ...custom.map((row) => ({
          key: row.key,
          name: row.name,
          builtIn: false,
          permissions: row.permissions,
        })),
      ];
    },

    async create(ctx: ServiceContext, input: z.input<typeof roleInput>): Promise<RoleView> {
      ctx.require('roles:manage');
      const parsed = roleInput.parse(input);
      if (isBuiltInRole(parsed.key)) throw new AppError('content.key_taken');
      if (!ctx.holdsAll(parsed.permissions)) throw new AppError('auth.forbidden');
      return run(ctx, async (tx, audit) => {
        await tx.insert(roles).values({ tenantId: ctx.tenantId, ...parsed });
        await audit.record(
          'role.created',
          { type: 'role', id: parsed.key },
          { permissions: parsed.permissions },
        );
        return { ...parsed, builtIn: false };
      });
    },

    /** Changing a custom role's permissions takes effect on its members' next request. */
    async update(ctx: ServiceContext, key: string, input: z.input<typeof roleUpdateInput>): Promise<void> {
      ctx.require('roles:manage');
      const roleName = roleKey.parse(key);
      const parsed = roleUpdateInput.parse(input);
      if (parsed.permissions && !ctx.holdsAll(parsed.permissions)) throw new AppError('auth.forbidden');
      await run(ctx, async (tx, audit) => {
        await assertHoldsCustomRole(tx, ctx, roleName);
        const updated = await tx
          .update(roles)
          .set({ ...parsed, updatedAt: clock() })
          .where(eq(roles.key, roleName))
          .returning({ key: roles.key });
        if (updated.length === 0) throw new AppError('role.not_found');
        await audit.record(
          'role.updated',
          { type: 'role', id: roleName },
          parsed.permissions ? { permissions: parsed.permissions } : {},
        );
      });
    },

    async remove(ctx: ServiceContext, key: string): Promise<void> {
      ctx.require('roles:manage');
      const roleName = roleKey.parse(key);
      await run(ctx, async (tx, audit) => {
        await assertHoldsCustomRole(tx, ctx, roleName);
        const assigned = await tx
          .select({ userId: memberships.userId })
          .from(memberships)
          .where(eq(memberships.role, roleName))
          .limit(1);
        if (assigned.length) throw new AppError('role.in_use');
        const deleted = await tx.delete(roles).where(eq(roles.key, roleName)).returning({ key: roles.key });
        if (deleted.length === 0) throw new AppError('role.not_found');
        await audit.record('role.deleted', { type: 'role', id: roleName });
      });
    },
  };
}

/** The custom role as it is now (locked for the change); 404 if there is none. */
async function assertHoldsCustomRole(tx: Tx, ctx: ServiceContext, key: string): Promise<void> {
  const [row] = await tx
    .select({ permissions: roles.permissions })
    .from(roles)
    .where(eq(roles.key, key))
    .limit(1)
    .for('update');
  if (!row) throw new AppError('role.not_found');
  assertHoldsAll(ctx, row.permissions);
}

export type RolesService = ReturnType<typeof createRolesService>;
