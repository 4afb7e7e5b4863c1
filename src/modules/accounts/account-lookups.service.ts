import { and, eq, inArray, notExists, sql } from 'drizzle-orm';
import { builtInRoles, isBuiltInRole } from '../../platform/auth/roles.js';
import type { Tx } from '../../platform/db/client.js';
import { memberships, roles, users } from './accounts.schema.js';

/**
 * Reads of people and memberships that other modules need (sign-in, sessions, tenant switch, API
 * keys, tenant deletion), so they never touch the accounts tables themselves. Each runs in the
 * caller's transaction: a tenant transaction sees only its tenant's memberships (RLS), the
 * platform role sees them all. This file imports nothing of other modules, so any of them can
 * use it without a cycle.
 */

export type UserRow = typeof users.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;

export async function findUserByEmail(tx: Tx, email: string): Promise<UserRow | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.email, email)).limit(1);
  return row;
}

/** The person's membership in the transaction's tenant (RLS), whatever the state of their account. */
export async function membershipOf(tx: Tx, userId: string): Promise<MembershipRow | undefined> {
  const [row] = await tx.select().from(memberships).where(eq(memberships.userId, userId)).limit(1);
  return row;
}

/** The person's role in the transaction's tenant and their account's state; undefined if not a member. */
export async function memberAccessOf(
  tx: Tx,
  userId: string,
): Promise<{ role: string; totpEnabledAt: Date | null; disabledAt: Date | null } | undefined> {
  const [row] = await tx
    .select({ role: memberships.role, totpEnabledAt: users.totpEnabledAt, disabledAt: users.disabledAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.userId, userId))
    .limit(1);
  return row;
}

/** The person's role in the transaction's tenant (RLS), or null unless a member and not disabled. */
export async function activeMemberRole(tx: Tx, userId: string): Promise<{ role: string } | null> {
  const row = await memberAccessOf(tx, userId);
  return row && row.disabledAt === null ? { role: row.role } : null;
}

/** A role's display name: the built-in one's, a custom role's in the transaction's tenant, else its key. */
export async function roleDisplayName(tx: Tx, role: string): Promise<string> {
  if (isBuiltInRole(role)) return builtInRoles[role].name;
  const [row] = await tx.select({ name: roles.name }).from(roles).where(eq(roles.key, role)).limit(1);
  return row?.name ?? role;
}

/** The tenants a person belongs to (platform role: memberships' ids only). */
export async function tenantIdsOfMember(tx: Tx, userId: string): Promise<string[]> {
  const rows = await tx
    .select({ tenantId: memberships.tenantId })
    .from(memberships)
    .where(eq(memberships.userId, userId));
  return rows.map((row) => row.tenantId);
}

/** The people who belong to a tenant (platform role). */
export async function memberIdsOfTenant(tx: Tx, tenantId: string): Promise<string[]> {
  const rows = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(eq(memberships.tenantId, tenantId));
  return rows.map((row) => row.userId);
}

/** Deletes the accounts among `userIds` that belong to no tenant any more (platform role). */
export async function deleteUsersWithoutMembership(tx: Tx, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await tx
    .delete(users)
    .where(
      and(
        inArray(users.id, [...userIds]),
        notExists(tx.select({ one: sql`1` }).from(memberships).where(eq(memberships.userId, users.id))),
      ),
    );
}
