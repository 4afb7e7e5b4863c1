import { eq, inArray } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import { hashSecret } from '../../platform/crypto/tokens.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { withPlatform } from '../../platform/db/tenancy.js';
import { AppError } from '../../platform/errors.js';
import { loginThrottle } from './sessions.schema.js';
import './sessions.errors.js';

/** Failures allowed before an account (or a browser's proof for it) waits: 1 s, 2 s, 4 s … 15 min. */
export const ACCOUNT_FREE_FAILURES = 5;
const ACCOUNT_MAX_DELAY_SECONDS = 15 * 60;
/** Failures from one network before its sign-ins are paced: one attempt per 1 s, 2 s … 30 s. */
export const NETWORK_FREE_FAILURES = 20;
export const NETWORK_MAX_DELAY_SECONDS = 30;
/** A quiet period after which a counter starts again. */
const FORGET_AFTER_SECONDS = 60 * 60;

export interface ThrottleKeys {
  account: string;
  network: string | null;
  /** Set when the browser proved it signed in as this account before (device-proof.ts). */
  device: string | null;
}

/** Keys hold no personal data: the account is a hash of the e-mail, the network a truncated address. */
export function throttleKeys(email: string, client: string | null, deviceNonce: string | null): ThrottleKeys {
  return {
    account: `account:${hashSecret(email.toLowerCase()).slice(0, 40)}`,
    network: client ? `client:${client}` : null,
    device: deviceNonce ? `device:${deviceNonce}` : null,
  };
}

/** A 429 that says when to come back (Retry-After). */
export class ThrottledError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('auth.throttled');
  }
}

const secondsUntil = (until: Date, now: Date) =>
  Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));

const doubling = (failures: number, free: number, max: number) =>
  failures > free ? Math.min(max, 2 ** (failures - free - 1)) : 0;

/**
 * Sign-in throttling that an attacker cannot turn against others (issue 18, finding 3), kept in
 * PostgreSQL so that every web process sees the same counters:
 *
 * - An account that failed too often is locked with doubling delays, but the lock only stops
 *   attempts that prove nothing more: a browser that signed in as this person before (its own
 *   counter instead), or the right password with a valid second factor, still get in.
 * - A network (a /24 or /48) that failed too often is paced, never locked: one attempt per delay
 *   (at most 30 s) for browsers without a proof; browsers with one are not paced at all. A success
 *   does not reset it, since an attacker can sign in to an account of their own.
 * - Behind a reverse proxy without ATTEST_TRUST_PROXY every client is one network: pacing then
 *   slows new browsers for everyone, but locks nobody out (docs/operations.md).
 */
export function createLoginThrottle({ db, clock }: { db: Database; clock: Clock }) {
  async function lockedRow(tx: Tx, key: string) {
    const [row] = await tx.select().from(loginThrottle).where(eq(loginThrottle.key, key)).for('update');
    const now = clock();
    return row && now.getTime() - row.lastFailureAt.getTime() <= FORGET_AFTER_SECONDS * 1000
      ? row
      : undefined;
  }

  return {
    /**
     * Before the password is checked. Throws when the attempt must wait (a browser's own proof
     * over its limit, or a paced network); otherwise says whether the account is locked, which
     * the caller may still get past with a second factor.
     */
    async admit(keys: ThrottleKeys): Promise<{ accountLocked: boolean; retryAfterSeconds: number }> {
      const now = clock();
      return withPlatform(db, async (tx) => {
        if (keys.device) {
          const row = await lockedRow(tx, keys.device);
          if (row?.blockedUntil && row.blockedUntil > now)
            throw new ThrottledError(secondsUntil(row.blockedUntil, now));
          return { accountLocked: false, retryAfterSeconds: 0 };
        }
        if (keys.network) {
          const row = await lockedRow(tx, keys.network);
          if (row && row.failures >= NETWORK_FREE_FAILURES) {
            if (row.blockedUntil && row.blockedUntil > now)
              throw new ThrottledError(secondsUntil(row.blockedUntil, now));
            // This attempt takes the network's slot; the next one waits (parallel ones too: row lock).
            const delay = doubling(row.failures + 1, NETWORK_FREE_FAILURES, NETWORK_MAX_DELAY_SECONDS);
            await tx
              .update(loginThrottle)
              .set({ blockedUntil: new Date(now.getTime() + delay * 1000) })
              .where(eq(loginThrottle.key, keys.network));
          }
        }
        const [account] = await tx.select().from(loginThrottle).where(eq(loginThrottle.key, keys.account));
        const locked = Boolean(account?.blockedUntil && account.blockedUntil > now);
        return {
          accountLocked: locked,
          retryAfterSeconds: locked && account?.blockedUntil ? secondsUntil(account.blockedUntil, now) : 0,
        };
      });
    },

    /** A wrong password or code: counts against the proof if there was one, else account and network. */
    async recordFailure(keys: ThrottleKeys): Promise<void> {
      const now = clock();
      const counted = keys.device ? [keys.device] : [keys.account, ...(keys.network ? [keys.network] : [])];
      await withPlatform(db, async (tx) => {
        for (const key of counted) {
          const row = await lockedRow(tx, key);
          const failures = (row?.failures ?? 0) + 1;
          const isNetwork = key === keys.network;
          const delay = isNetwork ? 0 : doubling(failures, ACCOUNT_FREE_FAILURES, ACCOUNT_MAX_DELAY_SECONDS);
          const values = {
            failures,
            lastFailureAt: now,
            // A network's wait is set when an attempt takes its slot (admit), not here.
            blockedUntil: isNetwork
              ? (row?.blockedUntil ?? null)
              : delay
                ? new Date(now.getTime() + delay * 1000)
                : null,
          };
          await tx
            .insert(loginThrottle)
            .values({ key, ...values })
            .onConflictDoUpdate({ target: loginThrottle.key, set: values });
        }
      });
    },

    /** The right person got in: their account and proof start afresh (the network does not). */
    async recordSuccess(keys: ThrottleKeys): Promise<void> {
      const cleared = [keys.account, ...(keys.device ? [keys.device] : [])];
      await withPlatform(db, (tx) => tx.delete(loginThrottle).where(inArray(loginThrottle.key, cleared)));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
