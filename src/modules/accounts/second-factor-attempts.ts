import { eq } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/db/client.js';
import { withPlatform } from '../../platform/db/tenancy.js';
import { AppError } from '../../platform/errors.js';
import { secondFactorAttempts } from './accounts.schema.js';

/** Wrong codes allowed before delays start; then each one doubles the wait, up to 15 minutes. */
export const SECOND_FACTOR_FREE_FAILURES = 5;
const MAX_DELAY_SECONDS = 15 * 60;
/** A quiet period after which the count starts again. */
const FORGET_AFTER_SECONDS = 60 * 60;

/**
 * One attempt limit per person for every place that checks a TOTP or recovery code. A code of six
 * digits falls to guessing without one, and an attacker who holds a session (or the password)
 * would simply pick the place with no limit, so the sign-in step and turning the second factor on
 * or off all count here, in the database, so that every web process sees the same count.
 *
 * An attempt is charged before the code is checked (a row lock orders concurrent attempts, so a
 * burst of parallel guesses cannot slip past the count) and forgiven when the code is right.
 */
export function createSecondFactorAttempts({ db, clock }: { db: Database; clock: Clock }) {
  return {
    async charge(userId: string): Promise<void> {
      const now = clock();
      await withPlatform(db, async (tx) => {
        // A racing sign-in whose code was right may forgive (delete) the row between the insert
        // and the lock: then it is inserted again, so the attempt is still charged and ordered.
        let row: typeof secondFactorAttempts.$inferSelect | undefined;
        for (let tries = 0; !row && tries < 3; tries += 1) {
          await tx
            .insert(secondFactorAttempts)
            .values({ userId, failures: 0, lastFailureAt: now })
            .onConflictDoNothing();
          [row] = await tx
            .select()
            .from(secondFactorAttempts)
            .where(eq(secondFactorAttempts.userId, userId))
            .for('update');
        }
        if (!row) throw new Error('second factor attempt row vanished');
        if (row.blockedUntil && row.blockedUntil.getTime() > now.getTime()) {
          throw new AppError('auth.mfa_throttled');
        }
        const stale = now.getTime() - row.lastFailureAt.getTime() > FORGET_AFTER_SECONDS * 1000;
        const failures = stale ? 1 : row.failures + 1;
        const delaySeconds =
          failures > SECOND_FACTOR_FREE_FAILURES
            ? Math.min(MAX_DELAY_SECONDS, 2 ** (failures - SECOND_FACTOR_FREE_FAILURES - 1))
            : 0;
        await tx
          .update(secondFactorAttempts)
          .set({
            failures,
            lastFailureAt: now,
            blockedUntil: delaySeconds ? new Date(now.getTime() + delaySeconds * 1000) : null,
          })
          .where(eq(secondFactorAttempts.userId, userId));
      });
    },

    /** A right code: the person is who they say, the count starts again. */
    async forgive(userId: string): Promise<void> {
      await withPlatform(db, (tx) =>
        tx.delete(secondFactorAttempts).where(eq(secondFactorAttempts.userId, userId)),
      );
    },
  };
}

export type SecondFactorAttempts = ReturnType<typeof createSecondFactorAttempts>;
