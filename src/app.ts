import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './platform/config.js';
import { type Database, openDatabase } from './platform/db/client.js';
import { acquireEmbeddedLock } from './platform/db/embedded-lock.js';
import { migrate } from './platform/db/migrate.js';
import { registerHealthRoutes } from './platform/http/health.routes.js';
import { createHttpServer } from './platform/http/server.js';
import { createLogger, type Logger } from './platform/logging/logger.js';
import { registerPublicRoutes } from './public/public.routes.js';
import { createPublishedCache } from './public/published-cache.js';
import { createServices, type Services } from './services.js';

export interface App {
  readonly server: FastifyInstance;
  readonly services: Services;
  readonly db: Database;
  close(): Promise<void>;
}

/** PostgreSQL when DATABASE_URL is set, else the embedded database in the data directory (locked to this process). */
export async function openConfiguredDatabase(config: Config): Promise<Database> {
  if (config.databaseUrl) return openDatabase({ url: config.databaseUrl });
  const release = acquireEmbeddedLock(config.dataDir);
  try {
    const db = await openDatabase({ pgliteDir: path.join(config.dataDir, 'pgdata') });
    return {
      ...db,
      async close() {
        await db.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * Builds the whole application on an open, migrated database: services, HTTP server, routes.
 * Tests call this with their own database and `app.server.inject()`.
 */
export async function createApp({
  db,
  logger = createLogger('silent'),
  publicCacheMs = 2_000,
}: {
  db: Database;
  logger?: Logger;
  publicCacheMs?: number;
}): Promise<App> {
  let invalidate: (tenantId: string) => void = () => {};
  const services = createServices({ db, onPublished: (tenantId) => invalidate(tenantId) });
  const cache = createPublishedCache({
    tenants: services.tenants,
    publishing: services.publishing,
    revalidateMs: publicCacheMs,
  });
  invalidate = cache.invalidate;

  const server = await createHttpServer({ logger });
  await registerHealthRoutes(server, { db });
  await registerPublicRoutes(server, { cache });

  let closing: Promise<void> | undefined;
  return {
    server,
    services,
    db,
    close() {
      closing ??= (async () => {
        await server.close();
        await db.close();
      })();
      return closing;
    },
  };
}

/** Opens and migrates the configured database, then builds the app (what `attest start` runs). */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  const db = await openConfiguredDatabase(config);
  try {
    const report = await migrate(db);
    if (report.applied.length) logger.info({ applied: report.applied }, 'database migrated');
    return await createApp({ db, logger });
  } catch (error) {
    await db.close();
    throw error;
  }
}
