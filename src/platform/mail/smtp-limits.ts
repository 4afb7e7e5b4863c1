import { createHash } from 'node:crypto';
import type { Database } from '../db/client.js';
import { literal, platformStatement } from '../db/tenancy.js';

/**
 * How fast mail may go to one destination domain or for one tenant: providers throttle (and
 * then defer or block) senders that open too many sessions or send too fast, and one tenant's
 * large fan-out should not take every connection from the others. See decision 0020.
 */
export interface DeliveryLimit {
  /** Mails in flight at once (within this process: see decision 0020). */
  concurrency?: number;
  /** Mails started per second (every process together when the budget is the database's). */
  perSecond?: number;
}

export interface DeliveryLimits {
  /** For every destination domain (the part after '@' of the recipient). */
  perDomain?: DeliveryLimit;
  /** Overrides for named domains (lower-case), e.g. `{ 'gmail.com': { perSecond: 20 } }`. */
  domains?: Record<string, DeliveryLimit>;
  /** For every tenant (a mail without `tenantId` counts for none). */
  perTenant?: DeliveryLimit;
}

/**
 * The per-second counters the rate limits spend. Windows are whole seconds of the process's
 * clock; a budget shared through the database holds the limit for every worker process together.
 */
export interface RateBudget {
  /** Takes up to `wanted` sends of `key`'s `perSecond` in the current second; resolves with how many it got. */
  take(key: string, wanted: number, perSecond: number): Promise<number>;
}

/** The key a domain is counted under: hashed, so the counter table names no one's mail provider. */
export function domainKey(domain: string): string {
  return `mail:domain:${createHash('sha256').update(domain).digest('hex').slice(0, 24)}`;
}

export function tenantKey(tenantId: string): string {
  return `mail:tenant:${tenantId}`;
}

/** Counters in this process's memory: exact for one process, N times the limit for N processes. */
export function createMemoryRateBudget(now: () => number = Date.now): RateBudget {
  const windows = new Map<string, { second: number; used: number }>();
  return {
    async take(key, wanted, perSecond) {
      const second = Math.floor(now() / 1000);
      let window = windows.get(key);
      if (!window || window.second !== second) {
        if (windows.size > 10_000) windows.clear();
        window = { second, used: 0 };
        windows.set(key, window);
      }
      const granted = Math.max(0, Math.min(wanted, perSecond - window.used));
      window.used += granted;
      return granted;
    },
  };
}

/**
 * Counters in PostgreSQL, shared by every worker process: one upsert per (batch, key) into the
 * table the API's limits use (decision 0012; its sweep deletes old windows), in one round trip.
 * The row counts what was asked in the current second; what was granted is the part of the ask
 * that fit under the limit. A refused ask still counts, which only ever errs on the slow side.
 */
export function createDatabaseRateBudget(db: Database, now: () => number = Date.now): RateBudget {
  return {
    async take(key, wanted, perSecond) {
      const second = `${literal(new Date(Math.floor(now() / 1000) * 1000).toISOString())}::timestamptz`;
      const rows = await platformStatement<{ hits: number }>(
        db,
        `insert into api_rate_limits as counted (key, window_start, hits)
         values (${literal(key)}, ${second}, ${Math.trunc(wanted)})
         on conflict (key) do update set
           hits = case when counted.window_start < excluded.window_start
             then excluded.hits else counted.hits + excluded.hits end,
           window_start = greatest(counted.window_start, excluded.window_start)
         returning hits`,
      );
      const hits = Number(rows[0]?.hits ?? wanted);
      return Math.max(0, Math.min(wanted, perSecond - (hits - wanted)));
    },
  };
}

/** The limit that applies to a domain: its own override, else the general one. */
export function domainLimit(limits: DeliveryLimits, domain: string): DeliveryLimit | undefined {
  return limits.domains?.[domain] ?? limits.perDomain;
}
