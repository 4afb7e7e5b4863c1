import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import type { Clock } from '../../src/platform/clock.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import type { TestDatabaseKind } from './databases.js';

/** A full application on a fresh database of the given kind, for HTTP tests through inject(). */
export function useTestApp(kind: TestDatabaseKind, options: { publicCacheMs?: number; clock?: Clock } = {}) {
  const holder: { app: App } = {} as { app: App };
  beforeAll(async () => {
    const db = await kind.create();
    holder.app = await createApp({
      db,
      sealer: new Sealer(randomBytes(32)),
      publicCacheMs: options.publicCacheMs ?? 0,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  });
  afterAll(async () => {
    await holder.app?.close();
  });
  return holder;
}
