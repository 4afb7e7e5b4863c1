import { eq } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import { hashPassword } from '../../platform/crypto/passwords.js';
import type { Database } from '../../platform/db/client.js';
import { translateDatabaseError } from '../../platform/db/errors.js';
import { withPlatform } from '../../platform/db/tenancy.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { auditLog } from '../audit/audit.service.js';
import { emailAddress } from './accounts.contract.js';
import { memberships, users } from './accounts.schema.js';
import { checkPasswordPolicy } from './password-policy.js';
import { revokeAccessInTenant } from './revocation.js';
import './accounts.errors.js';

import { findUserByEmail, type UserRow } from './account-lookups.service.js';

export { findUserByEmail, type UserRow } from './account-lookups.service.js';

/** Refuses a password that fails the policy; the problems become the error's details. */
export function assertAcceptablePassword(password: string, context: { email?: string; tenantName?: string }) {
  const verdict = checkPasswordPolicy(password, context);
  if (!verdict.ok) {
    throw new AppError(
      'auth.weak_password',
      verdict.problems.map((message) => ({ path: 'password', message })),
    );
  }
}

/** A password that passes the policy, hashed. */
export async function acceptablePasswordHash(
  password: string,
  context: { email?: string; tenantName?: string },
) {
  assertAcceptablePassword(password, context);
  return hashPassword(password);
}

/**
 * People, across tenants (platform role). Tenant-side views of them (members) go through the
 * members service; this one creates users, changes passwords and disables accounts.
 */
const operator = { kind: 'system', id: 'operator' } as const;

export function createUsersService({ db, clock }: { db: Database; clock: Clock }) {
  const run = tenantTransaction({ db, clock, audit: auditLog });

  return {
    /** Creates a user, or returns the existing one with that address (without touching its password). */
    async ensureUser(input: {
      email: string;
      password?: string;
    }): Promise<{ user: UserRow; created: boolean }> {
      const email = emailAddress.parse(input.email);
      const existing = await withPlatform(db, (tx) => findUserByEmail(tx, email));
      if (existing) return { user: existing, created: false };
      if (!input.password)
        throw new AppError('auth.weak_password', [{ path: 'password', message: 'A password is required.' }]);
      const passwordHash = await acceptablePasswordHash(input.password, { email });
      try {
        const [user] = await withPlatform(db, (tx) =>
          tx.insert(users).values({ email, passwordHash }).returning(),
        );
        if (!user) throw new Error('user insert returned no row');
        return { user, created: true };
      } catch (error) {
        translateDatabaseError(error, { '23505': 'member.exists' });
      }
    },

    async byId(userId: string): Promise<UserRow | undefined> {
      const [row] = await withPlatform(db, (tx) =>
        tx.select().from(users).where(eq(users.id, userId)).limit(1),
      );
      return row;
    },

    /**
     * Disables a person everywhere (an operator's offboarding): the account can no longer sign in,
     * and every session and API key of theirs in every tenant ends now.
     */
    async disable(userId: string): Promise<{ tenants: number }> {
      const tenantIds = await withPlatform(db, async (tx) => {
        await tx.update(users).set({ disabledAt: clock(), updatedAt: clock() }).where(eq(users.id, userId));
        const rows = await tx
          .select({ tenantId: memberships.tenantId })
          .from(memberships)
          .where(eq(memberships.userId, userId));
        return rows.map((row) => row.tenantId);
      });
      for (const tenantId of tenantIds) {
        await run({ tenantId, actor: operator }, async (tx, audit) => {
          const revoked = await revokeAccessInTenant(tx, userId, clock);
          await audit.record('user.disabled', { type: 'user', id: userId }, revoked);
        });
      }
      return { tenants: tenantIds.length };
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
