import { lt, sql } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Database } from '../db/client.js';
import { withPlatform } from '../db/tenancy.js';
import { AppError } from '../errors.js';
import { formRateLimits } from './form-rate-limit.schema.js';

export interface RateLimitRule {
  /** Holds no personal data: a truncated client network or a tenant id, with a prefix. */
  key: string;
  limit: number;
  windowMs: number;
}

/**
 * Fixed-window counters for the public forms, kept in the database so that every process behind
 * a load balancer counts the same hits (an in-memory limiter counts per process). One upsert per
 * rule and request; a form is refused with 429 once any of its rules is over its limit.
 */
export function createFormRateLimiter({ db, clock }: { db: Database; clock: Clock }) {
  return {
    async consume(rules: readonly RateLimitRule[]): Promise<void> {
      const now = clock();
      const over = await withPlatform(db, async (tx) => {
        let exceeded = false;
        for (const rule of rules) {
          const windowStart = new Date(now.getTime() - rule.windowMs).toISOString();
          const stale = sql`${formRateLimits.windowStart} <= ${windowStart}::timestamptz`;
          const [row] = await tx
            .insert(formRateLimits)
            .values({ key: rule.key.slice(0, 120), windowStart: now, hits: 1 })
            .onConflictDoUpdate({
              target: formRateLimits.key,
              set: {
                hits: sql`case when ${stale} then 1 else ${formRateLimits.hits} + 1 end`,
                windowStart: sql`case when ${stale} then ${now.toISOString()}::timestamptz else ${formRateLimits.windowStart} end`,
              },
            })
            .returning({ hits: formRateLimits.hits });
          if ((row?.hits ?? 0) > rule.limit) exceeded = true;
        }
        return exceeded;
      });
      if (over) throw new AppError('rate.limited');
    },

    /** Forgets windows older than a day (scheduled). */
    async prune(): Promise<number> {
      const cutoff = new Date(clock().getTime() - 86_400_000);
      const deleted = await withPlatform(db, (tx) =>
        tx
          .delete(formRateLimits)
          .where(lt(formRateLimits.windowStart, cutoff))
          .returning({ key: formRateLimits.key }),
      );
      return deleted.length;
    },
  };
}

export type FormRateLimiter = ReturnType<typeof createFormRateLimiter>;
