import { eq, inArray } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import { hashSecret } from '../../platform/crypto/tokens.js';
import type { Database } from '../../platform/db/client.js';
import { withPlatform } from '../../platform/db/tenancy.js';
import { AppError } from '../../platform/errors.js';
import { loginThrottle } from './sessions.schema.js';
import './sessions.errors.js';

/** Failures allowed before delays start, per account and per client network (shared by many people). */
const ACCOUNT_FREE_FAILURES = 5;
const CLIENT_FREE_FAILURES = 20;
const MAX_DELAY_SECONDS = 15 * 60;
/** A quiet period after which the counter starts again. */
const FORGET_AFTER_SECONDS = 60 * 60;

export interface ThrottleKeys {
  account: string;
  client: string | null;
}

/** Keys hold no personal data: the account is a hash of the e-mail, the client a truncated network. */
export function throttleKeys(email: string, client: string | null): ThrottleKeys {
  return {
    account: `account:${hashSecret(email.toLowerCase()).slice(0, 40)}`,
    client: client ? `client:${client}` : null,
  };
}

/**
 * Growing delays after repeated failed sign-ins: once the free failures are used up, each further
 * failure doubles the wait (1 s, 2 s, 4 s … up to 15 minutes). The same answer comes whether or not
 * the account exists, since the account key is derived from whatever e-mail was typed.
 */
export function createLoginThrottle({ db, clock }: { db: Database; clock: Clock }) {
  const keysOf = (keys: ThrottleKeys) => [keys.account, ...(keys.client ? [keys.client] : [])];

  return {
    async assertAllowed(keys: ThrottleKeys): Promise<void> {
      const rows = await withPlatform(db, (tx) =>
        tx
          .select()
          .from(loginThrottle)
          .where(inArray(loginThrottle.key, keysOf(keys))),
      );
      const now = clock().getTime();
      if (rows.some((row) => row.blockedUntil && row.blockedUntil.getTime() > now))
        throw new AppError('auth.throttled');
    },

    async recordFailure(keys: ThrottleKeys): Promise<void> {
      const now = clock();
      await withPlatform(db, async (tx) => {
        for (const key of keysOf(keys)) {
          const [row] = await tx.select().from(loginThrottle).where(eq(loginThrottle.key, key)).for('update');
          const stale = !row || now.getTime() - row.lastFailureAt.getTime() > FORGET_AFTER_SECONDS * 1000;
          const failures = stale ? 1 : row.failures + 1;
          const free = key.startsWith('account:') ? ACCOUNT_FREE_FAILURES : CLIENT_FREE_FAILURES;
          const delaySeconds = failures > free ? Math.min(MAX_DELAY_SECONDS, 2 ** (failures - free - 1)) : 0;
          const values = {
            failures,
            lastFailureAt: now,
            blockedUntil: delaySeconds ? new Date(now.getTime() + delaySeconds * 1000) : null,
          };
          await tx
            .insert(loginThrottle)
            .values({ key, ...values })
            .onConflictDoUpdate({ target: loginThrottle.key, set: values });
        }
      });
    },

    async recordSuccess(keys: ThrottleKeys): Promise<void> {
      await withPlatform(db, (tx) =>
        tx.delete(loginThrottle).where(inArray(loginThrottle.key, [keys.account])),
      );
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
