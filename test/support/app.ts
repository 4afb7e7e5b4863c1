import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import type { Clock } from '../../src/platform/clock.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import type { Logger } from '../../src/platform/logging/logger.js';
import type { TestDatabaseKind } from './databases.js';
import { checkResponseContracts } from './response-contracts.js';

/** A full application on a fresh database of the given kind, for HTTP tests through inject(). */
export function useTestApp(
  kind: TestDatabaseKind,
  options: {
    publicCacheMs?: number;
    clock?: Clock;
    maxUploadBytes?: number;
    /** The app's mailer sends here; called once when the app is built (it may start the server). */
    smtpUrl?: () => Promise<string>;
    apiRequestsPerMinute?: number;
    rateLimitNow?: () => number;
    /** The app's logger (tests that read log lines pass one with a destination). */
    logger?: Logger;
    trustProxy?: boolean;
  } = {},
) {
  const holder: { app: App; sealer: Sealer } = {} as { app: App; sealer: Sealer };
  let contracts: ReturnType<typeof checkResponseContracts> | undefined;
  beforeAll(async () => {
    const db = await kind.create();
    holder.sealer = new Sealer(randomBytes(32));
    holder.app = await createApp({
      db,
      sealer: holder.sealer,
      publicCacheMs: options.publicCacheMs ?? 0,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.maxUploadBytes ? { maxUploadBytes: options.maxUploadBytes } : {}),
      ...(options.apiRequestsPerMinute !== undefined
        ? { apiRequestsPerMinute: options.apiRequestsPerMinute }
        : {}),
      ...(options.rateLimitNow ? { rateLimitNow: options.rateLimitNow } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.trustProxy ? { trustProxy: true } : {}),
      ...(options.smtpUrl ? { smtpUrl: await options.smtpUrl(), mailFrom: 'notices@attest.test' } : {}),
    });
    contracts = checkResponseContracts(holder.app);
  });
  // A handler that answered outside its declared response schema fails the test that called it.
  afterEach(() => {
    const mismatches = contracts?.mismatches.splice(0) ?? [];
    if (mismatches.length) throw new Error(mismatches.join('\n'));
  });
  afterAll(async () => {
    await holder.app?.close();
  });
  return holder;
}
