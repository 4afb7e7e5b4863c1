import { afterAll, beforeAll } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import type { TestDatabaseKind } from './databases.js';

/** A full application on a fresh database of the given kind, for HTTP tests through inject(). */
export function useTestApp(kind: TestDatabaseKind, options: { publicCacheMs?: number } = {}) {
  const holder: { app: App } = {} as { app: App };
  beforeAll(async () => {
    const db = await kind.create();
    holder.app = await createApp({ db, publicCacheMs: options.publicCacheMs ?? 0 });
  });
  afterAll(async () => {
    await holder.app?.close();
  });
  return holder;
}
