import { describe, expect, it } from 'vitest';
import { createApiRateLimiter, RateLimitedError, TENANT_MULTIPLE } from './api-rate-limit.js';

describe("the in-memory API rate limiter (the bench's yardstick)", async () => {
  it('gives each credential its budget per minute, says what is left, and refuses past it', async () => {
    let now = 1_000_000;
    const limiter = createApiRateLimiter({ perMinute: 3, now: () => now });
    expect(await limiter.take('api_key:a')).toEqual({ limit: 3, remaining: 2, resetSeconds: 60 });
    now += 15_000;
    expect((await limiter.take('api_key:a')).remaining).toBe(1);
    expect(await limiter.take('api_key:a')).toEqual({ limit: 3, remaining: 0, resetSeconds: 45 });
    const refused = await limiter.take('api_key:a').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).status).toBe(429);
    expect((refused as RateLimitedError).state).toEqual({ limit: 3, remaining: 0, resetSeconds: 45 });
    // Another credential has its own budget.
    expect((await limiter.take('user:b')).remaining).toBe(2);
    // A new window, a full budget.
    now += 45_000;
    expect((await limiter.take('api_key:a')).remaining).toBe(2);
  });

  it('tracks a bounded number of credentials, forgetting finished windows first', async () => {
    let now = 0;
    const limiter = createApiRateLimiter({ perMinute: 1, now: () => now, maxTracked: 100 });
    for (let index = 0; index < 100; index += 1) await limiter.take(`user:${index}`);
    now += 61_000;
    await limiter.take('user:new');
    expect(limiter.tracked).toBe(1);
    for (let index = 0; index < 500; index += 1) await limiter.take(`user:burst-${index}`);
    expect(limiter.tracked).toBeLessThanOrEqual(100);
  });

  it(`gives a tenant's credentials together ${TENANT_MULTIPLE} times one credential's budget`, async () => {
    const now = 0;
    const limiter = createApiRateLimiter({ perMinute: 2, now: () => now });
    const keys = Array.from({ length: TENANT_MULTIPLE + 1 }, (_, index) => `api_key:${index}`);
    for (const key of keys.slice(0, TENANT_MULTIPLE)) {
      await limiter.take(key, 'tenant-a');
      await limiter.take(key, 'tenant-a');
    }
    // A new key of the same tenant is refused: the tenant's budget is spent, not the key's.
    const last = keys.at(-1) ?? '';
    await expect(limiter.take(last, 'tenant-a')).rejects.toThrow(RateLimitedError);
    // Another tenant is not affected.
    expect((await limiter.take(last, 'tenant-b')).remaining).toBe(0);
  });
});
