import { AppError } from '../errors.js';

/** Ten a second on average, with room for the bursts a console screen makes. */
export const DEFAULT_API_REQUESTS_PER_MINUTE = 600;

/** What a caller learns about its budget, on every API answer (RateLimit-* headers). */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Seconds until the window ends and the budget is full again. */
  resetSeconds: number;
}

/** A 429 that carries the state, so the answer can say when to come back (Retry-After). */
export class RateLimitedError extends AppError {
  constructor(readonly state: RateLimitState) {
    super('rate.limited');
  }
}

interface Window {
  start: number;
  hits: number;
}

/** A tenant's credentials together: several API keys do not multiply what one tenant may send. */
export const TENANT_MULTIPLE = 5;

/** Counts API requests per credential and per tenant; both limiters below answer the same way. */
export interface ApiRateLimiter {
  /**
   * Counts one request of `credential` in `tenantId`; rejects with RateLimitedError once either
   * the credential or the tenant is over its budget. The state is the credential's.
   */
  take(credential: string, tenantId?: string): Promise<RateLimitState>;
}

/** The length of one counting window. */
export const WINDOW_MS = 60_000;

/** One fixed window of one key: its limit, hits so far and start, as the answer reports it. */
export function windowState(limit: number, hits: number, start: number, at: number): RateLimitState {
  return {
    limit,
    remaining: Math.max(0, limit - hits),
    resetSeconds: Math.max(1, Math.ceil((start + WINDOW_MS - at) / 1000)),
  };
}

/**
 * The same limits counted in this process's memory: what each process did before the counters
 * moved to the database (api-rate-limit-db.ts, what the app uses). Kept as the yardstick the
 * bench measures the shared counters against; with N processes a caller would get N times the
 * limit.
 */
export function createApiRateLimiter({
  perMinute,
  now = Date.now,
  maxTracked = 50_000,
}: {
  perMinute: number;
  now?: () => number;
  /** Keys tracked at once; beyond it, finished windows and then the oldest are forgotten. */
  maxTracked?: number;
}) {
  const windowMs = WINDOW_MS;
  const windows = new Map<string, Window>();

  function forgetSome(at: number): void {
    for (const [key, window] of windows) {
      if (at - window.start >= windowMs) windows.delete(key);
    }
    while (windows.size >= maxTracked) windows.delete(windows.keys().next().value as string);
  }

  function current(key: string, at: number): Window {
    let window = windows.get(key);
    if (!window || at - window.start >= windowMs) {
      if (!window && windows.size >= maxTracked) forgetSome(at);
      window = { start: at, hits: 0 };
      windows.set(key, window);
    }
    return window;
  }

  function stateOf(window: Window, limit: number, at: number): RateLimitState {
    return windowState(limit, window.hits, window.start, at);
  }

  /** Counts one hit on `key`; throws RateLimitedError once it is over `limit`. */
  function hit(key: string, limit: number): RateLimitState {
    const at = now();
    const window = current(key, at);
    window.hits += 1;
    const state = stateOf(window, limit, at);
    if (window.hits > limit) throw new RateLimitedError(state);
    return state;
  }

  function take(credential: string, tenantId?: string): RateLimitState {
    if (tenantId !== undefined) {
      try {
        hit(`tenant:${tenantId}`, perMinute * TENANT_MULTIPLE);
      } catch (error) {
        // The tenant's budget is spent: the credential's own count still moves, and the answer says so.
        const own = hit(credential, perMinute);
        if (error instanceof RateLimitedError) throw new RateLimitedError({ ...own, ...error.state });
        throw error;
      }
    }
    return hit(credential, perMinute);
  }

  return {
    take: async (credential: string, tenantId?: string) => take(credential, tenantId),
    get tracked(): number {
      return windows.size;
    },
  } satisfies ApiRateLimiter & { tracked: number };
}
