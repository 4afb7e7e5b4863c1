import { lt } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { literal, platformStatement, withPlatform } from '../db/tenancy.js';
import {
  type ApiRateLimiter,
  RateLimitedError,
  type RateLimitState,
  TENANT_MULTIPLE,
  WINDOW_MS,
  windowState,
} from './api-rate-limit.js';
import { apiRateLimits } from './api-rate-limit.schema.js';

/**
 * The API limits of decision 0012, counted in the database so that every web process behind a
 * load balancer spends the same budget. One statement counts the credential and its tenant
 * together: an upsert per key that starts a new window when the stored one has ended (a window
 * starts at a key's first request, as it did in memory) and returns both counts. The credential's
 * row is listed first, so concurrent requests lock rows in the same order and cannot deadlock.
 * On PostgreSQL it is one round trip (platformStatement); bench/api-rate-limit measures its cost.
 */
export function createDatabaseApiRateLimiter({
  db,
  perMinute,
  now = Date.now,
}: {
  db: Database;
  perMinute: number;
  now?: () => number;
}): ApiRateLimiter {
  return {
    async take(credential: string, tenantId?: string): Promise<RateLimitState> {
      const at = now();
      const tenantKey = tenantId === undefined ? undefined : `tenant:${tenantId}`;
      // Written into the text (one simple query, no parameters): the keys are escaped, the rest are numbers.
      const start = `${literal(new Date(at).toISOString())}::timestamptz`;
      const ended = `${literal(new Date(at - WINDOW_MS).toISOString())}::timestamptz`;
      const values = [credential, ...(tenantKey ? [tenantKey] : [])]
        .map((key) => `(${literal(key)}, ${start}, 1)`)
        .join(', ');
      const rows = await platformStatement<{ key: string; hits: number; start_ms: number }>(
        db,
        `insert into api_rate_limits as counted (key, window_start, hits) values ${values}
         on conflict (key) do update set
           hits = case when counted.window_start <= ${ended} then 1 else counted.hits + 1 end,
           window_start = case when counted.window_start <= ${ended}
             then excluded.window_start else counted.window_start end
         returning key, hits, (extract(epoch from window_start) * 1000)::float8 as start_ms`,
      );
      const stateOf = (key: string, limit: number): RateLimitState => {
        const row = rows.find((candidate) => candidate.key === key);
        return windowState(limit, Number(row?.hits ?? 1), Number(row?.start_ms ?? at), at);
      };
      const own = stateOf(credential, perMinute);
      if (tenantKey) {
        const tenant = stateOf(tenantKey, perMinute * TENANT_MULTIPLE);
        // The tenant's budget is spent: the answer speaks of the tenant's window.
        if (isOver(rows, tenantKey, tenant.limit)) throw new RateLimitedError({ ...own, ...tenant });
      }
      if (isOver(rows, credential, perMinute)) throw new RateLimitedError(own);
      return own;
    },
  };
}

function isOver(rows: readonly { key: string; hits: number }[], key: string, limit: number): boolean {
  return Number(rows.find((row) => row.key === key)?.hits ?? 0) > limit;
}

/** Forgets counters whose window ended more than a window ago (the scheduler, every tick). */
export async function pruneApiRateLimits(db: Database, at: Date): Promise<number> {
  const cutoff = new Date(at.getTime() - 2 * WINDOW_MS);
  const deleted = await withPlatform(db, (tx) =>
    tx
      .delete(apiRateLimits)
      .where(lt(apiRateLimits.windowStart, cutoff))
      .returning({ key: apiRateLimits.key }),
  );
  return deleted.length;
}
