import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Sealer } from '../../platform/crypto/sealing.js';
import type { Database } from '../../platform/db/client.js';
import { withPlatform } from '../../platform/db/tenancy.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { auditLog } from '../audit/audit.service.js';
import { recoveryCodes, users } from './accounts.schema.js';
import { createSecondFactorAttempts } from './second-factor-attempts.js';
import {
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  normalizeRecoveryCode,
  totpUri,
  verifyTotp,
} from './totp.js';
import './accounts.errors.js';

/** The second factor's checks, for signing in (the sessions module). */
export { hashRecoveryCode, normalizeRecoveryCode, verifyTotp } from './totp.js';

/** What a user's TOTP secret is sealed for (bound into the sealed value). */
export const totpPurpose = (userId: string) => `totp:${userId}`;

/**
 * TOTP second factor for a user: set up (a sealed, not yet active secret), enable with a first
 * valid code (which also issues ten single-use recovery codes, stored as hashes), disable with a
 * valid code. The secret and the recovery codes are shown to their owner once, at set-up. Every
 * check of a code, here and at sign-in, goes through one attempt limit per person.
 */
export function createMfaService({ db, clock, sealer }: { db: Database; clock: Clock; sealer: Sealer }) {
  const run = tenantTransaction({ db, clock, audit: auditLog });
  const attempts = createSecondFactorAttempts({ db, clock });

  async function user(userId: string) {
    const [row] = await withPlatform(db, (tx) =>
      tx.select().from(users).where(eq(users.id, userId)).limit(1),
    );
    if (!row) throw new AppError('member.not_found');
    return row;
  }

  function totpStep(row: typeof users.$inferSelect, code: string): number {
    if (!row.totpSecretSealed) throw new AppError('auth.mfa_invalid');
    const secret = sealer.open(row.totpSecretSealed, totpPurpose(row.id)).toString('utf8');
    const step = verifyTotp(secret, code, clock().getTime());
    if (step === null || (row.totpLastStep !== null && step <= row.totpLastStep))
      throw new AppError('auth.mfa_invalid');
    return step;
  }

  /** Runs one code check under the person's attempt limit: charged first, forgiven if right. */
  async function limited<T>(userId: string, check: () => Promise<T> | T): Promise<T> {
    await attempts.charge(userId);
    const result = await check();
    await attempts.forgive(userId);
    return result;
  }

  const checkCode = (row: typeof users.$inferSelect, code: string) =>
    limited(row.id, () => totpStep(row, code));

  /** A TOTP code, recorded as used (no replay), or an unused recovery code, used up. */
  async function checkSignInCode(row: typeof users.$inferSelect, code: string): Promise<'totp' | 'recovery'> {
    if (/^\d{6}$/.test(code.replace(/\s/g, '')) && row.totpSecretSealed) {
      const step = totpStep(row, code);
      // Only a step later than the last one used: of two sign-ins racing with one code, one wins.
      const updated = await withPlatform(db, (tx) =>
        tx
          .update(users)
          .set({ totpLastStep: step })
          .where(and(eq(users.id, row.id), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
          .returning({ id: users.id }),
      );
      if (updated.length === 0) throw new AppError('auth.mfa_invalid');
      return 'totp';
    }
    const codeHash = hashRecoveryCode(normalizeRecoveryCode(code));
    const used = await withPlatform(db, (tx) =>
      tx
        .update(recoveryCodes)
        .set({ usedAt: clock() })
        .where(
          and(
            eq(recoveryCodes.userId, row.id),
            eq(recoveryCodes.codeHash, codeHash),
            isNull(recoveryCodes.usedAt),
          ),
        )
        .returning({ userId: recoveryCodes.userId }),
    );
    if (used.length === 0) throw new AppError('auth.mfa_invalid');
    return 'recovery';
  }

  return {
    /**
     * The second step of a sign-in (the password was right): a TOTP code or a recovery code,
     * under the same per-person limit as every other code check.
     */
    async verifySignIn(
      row: typeof users.$inferSelect,
      code: string | undefined,
    ): Promise<'totp' | 'recovery'> {
      if (!code) throw new AppError('auth.mfa_required');
      return limited(row.id, () => checkSignInCode(row, code));
    },

    async setup(userId: string, issuer: string): Promise<{ secret: string; uri: string }> {
      const row = await user(userId);
      if (row.totpEnabledAt)
        throw new AppError('request.invalid', [
          { path: '', message: 'Two-factor authentication is already on.' },
        ]);
      const secret = generateTotpSecret();
      await withPlatform(db, (tx) =>
        tx
          .update(users)
          .set({
            totpSecretSealed: sealer.seal(secret, totpPurpose(userId)),
            totpLastStep: null,
            updatedAt: clock(),
          })
          .where(eq(users.id, userId)),
      );
      return { secret, uri: totpUri({ secret, accountName: row.email, issuer }) };
    },

    async enable(userId: string, tenantId: string, code: string): Promise<{ recoveryCodes: string[] }> {
      const row = await user(userId);
      if (row.totpEnabledAt)
        throw new AppError('request.invalid', [
          { path: '', message: 'Two-factor authentication is already on.' },
        ]);
      const step = await checkCode(row, code);
      const codes = generateRecoveryCodes();
      await withPlatform(db, async (tx) => {
        await tx
          .update(users)
          .set({ totpEnabledAt: clock(), totpLastStep: step, updatedAt: clock() })
          .where(eq(users.id, userId));
        await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
        await tx
          .insert(recoveryCodes)
          .values(codes.map((value) => ({ userId, codeHash: hashRecoveryCode(value) })));
      });
      await run({ tenantId, actor: { kind: 'user', id: userId } }, (_tx, audit) =>
        audit.record('auth.mfa_enabled', { type: 'user', id: userId }),
      );
      return { recoveryCodes: codes };
    },

    async disable(userId: string, tenantId: string, code: string): Promise<void> {
      const row = await user(userId);
      if (!row.totpEnabledAt) return;
      await checkCode(row, code);
      await withPlatform(db, async (tx) => {
        await tx
          .update(users)
          .set({ totpEnabledAt: null, totpSecretSealed: null, totpLastStep: null, updatedAt: clock() })
          .where(eq(users.id, userId));
        await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
      });
      await run({ tenantId, actor: { kind: 'user', id: userId } }, (_tx, audit) =>
        audit.record('auth.mfa_disabled', { type: 'user', id: userId }),
      );
    },
  };
}

export type MfaService = ReturnType<typeof createMfaService>;
