import { eq } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Sealer } from '../../platform/crypto/sealing.js';
import type { Database } from '../../platform/db/client.js';
import { withPlatform } from '../../platform/db/tenancy.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { auditLog } from '../audit/audit.service.js';
import { recoveryCodes, users } from './accounts.schema.js';
import { generateRecoveryCodes, generateTotpSecret, hashRecoveryCode, totpUri, verifyTotp } from './totp.js';
import './accounts.errors.js';

/** The second factor's checks, for signing in (the sessions module). */
export { hashRecoveryCode, normalizeRecoveryCode, verifyTotp } from './totp.js';

/** What a user's TOTP secret is sealed for (bound into the sealed value). */
export const totpPurpose = (userId: string) => `totp:${userId}`;

/**
 * TOTP second factor for a user: set up (a sealed, not yet active secret), enable with a first
 * valid code (which also issues ten single-use recovery codes, stored as hashes), disable with a
 * valid code. The secret and the recovery codes are shown to their owner once, at set-up.
 */
export function createMfaService({ db, clock, sealer }: { db: Database; clock: Clock; sealer: Sealer }) {
  const run = tenantTransaction({ db, clock, audit: auditLog });

  async function user(userId: string) {
    const [row] = await withPlatform(db, (tx) =>
      tx.select().from(users).where(eq(users.id, userId)).limit(1),
    );
    if (!row) throw new AppError('member.not_found');
    return row;
  }

  function checkCode(row: typeof users.$inferSelect, code: string): number {
    if (!row.totpSecretSealed) throw new AppError('auth.mfa_invalid');
    const secret = sealer.open(row.totpSecretSealed, totpPurpose(row.id)).toString('utf8');
    const step = verifyTotp(secret, code, clock().getTime());
    if (step === null || (row.totpLastStep !== null && step <= row.totpLastStep))
      throw new AppError('auth.mfa_invalid');
    return step;
  }

  return {
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
      const step = checkCode(row, code);
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
      checkCode(row, code);
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
