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

/**
 * Requests per credential (an API key, or a person through the console) per minute, counted in
 * this process's memory. It stops a runaway script or a stolen key from taking the server's time
 * from every other tenant; it is not the edge's flood protection, and with N web processes a
 * credential gets up to N times the limit. (The public forms count in the database instead: their
 * callers are anonymous, and their limits are small enough to make per-process counting useless.)
 */
export function createApiRateLimiter({
  perMinute,
  now = Date.now,
  maxTracked = 50_000,
}: {
  perMinute: number;
  now?: () => number;
  /** Credentials tracked at once; beyond it, finished windows and then the oldest are forgotten. */
  maxTracked?: number;
}) {
  const windowMs = 60_000;
  const windows = new Map<string, Window>();

  function forgetSome(at: number): void {
    for (const [key, window] of windows) {
      if (at - window.start >= windowMs) windows.delete(key);
    }
    while (windows.size >= maxTracked) windows.delete(windows.keys().next().value as string);
  }

  return {
    /** Counts one request of `credential`; throws RateLimitedError once it is over its budget. */
    take(credential: string): RateLimitState {
      const at = now();
      let window = windows.get(credential);
      if (!window || at - window.start >= windowMs) {
        if (!window && windows.size >= maxTracked) forgetSome(at);
        window = { start: at, hits: 0 };
        windows.set(credential, window);
      }
      window.hits += 1;
      const state = {
        limit: perMinute,
        remaining: Math.max(0, perMinute - window.hits),
        resetSeconds: Math.max(1, Math.ceil((window.start + windowMs - at) / 1000)),
      };
      if (window.hits > perMinute) throw new RateLimitedError(state);
      return state;
    },
    get tracked(): number {
      return windows.size;
    },
  };
}

export type ApiRateLimiter = ReturnType<typeof createApiRateLimiter>;
