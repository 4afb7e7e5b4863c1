import { randomBytes } from 'node:crypto';
import path from 'node:path';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { registerBffRoutes } from './bff/bff.routes.js';
import { accountsRoutes } from './modules/accounts/accounts.routes.js';
import { apiKeysRoutes } from './modules/api-keys/api-keys.routes.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { contentRoutes } from './modules/content/content.routes.js';
import { publishingRoutes } from './modules/publishing/publishing.routes.js';
import { createTokenService, type TokenService } from './platform/auth/jwt.js';
import { type Clock, systemClock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import { loadMasterKey } from './platform/crypto/master-key.js';
import { Sealer } from './platform/crypto/sealing.js';
import { type Database, openDatabase } from './platform/db/client.js';
import { acquireEmbeddedLock } from './platform/db/embedded-lock.js';
import { migrate } from './platform/db/migrate.js';
import { AppError } from './platform/errors.js';
import { API_PREFIX, type ApiRoute, registerApiRoutes } from './platform/http/api-route.js';
import { createApiAuthenticator } from './platform/http/authenticate.js';
import { registerHealthRoutes } from './platform/http/health.routes.js';
import { buildOpenApiDocument } from './platform/http/openapi.js';
import { createHttpServer, logRequest } from './platform/http/server.js';
import { createLogger, type Logger } from './platform/logging/logger.js';
import { registerPublicRoutes } from './public/public.routes.js';
import { createPublishedCache } from './public/published-cache.js';
import { createServices, type Services } from './services.js';

export interface App {
  readonly server: FastifyInstance;
  readonly services: Services;
  readonly tokens: TokenService;
  readonly apiRoutes: readonly ApiRoute[];
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

export function sealerFor(config: Config): Sealer {
  return new Sealer(
    loadMasterKey({
      value: config.masterKey,
      dataDir: config.dataDir,
      production: config.nodeEnv === 'production',
    }),
  );
}

export interface AppOptions {
  db: Database;
  sealer: Sealer;
  logger?: Logger;
  clock?: Clock;
  publicCacheMs?: number;
  /** The public origin: JWT issuer, and an accepted Origin for the BFF. */
  publicUrl?: string;
}

/** Every /api/v1 route, in one list: registered, documented (OpenAPI) and crossed by the isolation test. */
export function allApiRoutes(services: Services): ApiRoute[] {
  return [
    ...contentRoutes(services),
    ...publishingRoutes(services),
    ...accountsRoutes(services),
    ...apiKeysRoutes(services),
    ...auditRoutes(services),
  ];
}

/**
 * Builds the whole application on an open, migrated database: services, HTTP server, routes.
 * Tests call this with their own database and `app.server.inject()`.
 */
export async function createApp({
  db,
  sealer,
  logger = createLogger('silent'),
  clock = systemClock,
  publicCacheMs = 2_000,
  publicUrl = 'http://127.0.0.1:3000',
}: AppOptions): Promise<App> {
  let invalidate: (tenantId: string) => void = () => {};
  const services = createServices({ db, sealer, clock, onPublished: (tenantId) => invalidate(tenantId) });
  const cache = createPublishedCache({
    tenants: services.tenants,
    publishing: services.publishing,
    revalidateMs: publicCacheMs,
  });
  invalidate = cache.invalidate;

  const tokens = createTokenService({ db, sealer, issuer: publicUrl, clock });
  await tokens.ensureKey();
  const internalSecret = randomBytes(32).toString('base64url');
  const apiRoutes = allApiRoutes(services);

  const openApi = buildOpenApiDocument(apiRoutes, {
    title: 'Attest API',
    version: '1',
    serverUrl: `${publicUrl}${API_PREFIX}`,
  });

  const server = await createHttpServer({ logger });
  server.setNotFoundHandler((_request, reply) =>
    reply.code(404).send(new AppError('route.not_found').toJSON()),
  );

  // The application: API, BFF, health. Every request is logged; JSON answers are compressed.
  await server.register(async (scope) => {
    scope.addHook('onResponse', async (request, reply) => logRequest(request, reply));
    await scope.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });
    await scope.register(cookie);
    await registerHealthRoutes(scope, { db });
    scope.get('/.well-known/jwks.json', async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=60');
      return tokens.jwks();
    });
    scope.get(`${API_PREFIX}/openapi.json`, async () => openApi);
    registerApiRoutes(
      scope,
      apiRoutes,
      createApiAuthenticator({ tokens, apiKeys: services.apiKeys, internalSecret }),
    );
    await scope.register(async (bff) =>
      registerBffRoutes(bff, {
        services,
        tokens,
        allowedOrigins: new Set([new URL(publicUrl).origin]),
        issuerName: 'Attest',
        internalSecret,
      }),
    );
  });

  // The public site: precompressed pages from memory. Only failures are logged: a page view is
  // the hot path, and a reverse proxy in front keeps the access log of the public site.
  await server.register(async (scope) => {
    scope.addHook('onResponse', (request, reply, done) => {
      if (reply.statusCode >= 400) logRequest(request, reply);
      done();
    });
    await registerPublicRoutes(scope, { cache });
  });

  let closing: Promise<void> | undefined;
  return {
    server,
    services,
    tokens,
    apiRoutes,
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
  const sealer = sealerFor(config);
  const db = await openConfiguredDatabase(config);
  try {
    const report = await migrate(db);
    if (report.applied.length) logger.info({ applied: report.applied }, 'database migrated');
    return await createApp({ db, sealer, logger, publicUrl: config.publicUrl });
  } catch (error) {
    await db.close();
    throw error;
  }
}
