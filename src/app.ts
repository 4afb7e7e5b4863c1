import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { registerAdminConsole } from './admin/admin-console.js';
import { registerBffRoutes } from './bff/bff.routes.js';
import { accountsRoutes } from './modules/accounts/accounts.routes.js';
import { apiKeysRoutes } from './modules/api-keys/api-keys.routes.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { certificationsRoutes } from './modules/certifications/certifications.routes.js';
import { contentRoutes } from './modules/content/content.routes.js';
import { accessRoutes } from './modules/documents/access.routes.js';
import { documentsRoutes } from './modules/documents/documents.routes.js';
import { evidenceRoutes } from './modules/evidence/evidence.routes.js';
import { hostChecksRoutes } from './modules/host-checks/host-checks.routes.js';
import { knowledgeBaseRoutes } from './modules/knowledge-base/knowledge-base.routes.js';
import type { NoticeDispatcher } from './modules/notices/notices.service.js';
import { publishingRoutes } from './modules/publishing/publishing.routes.js';
import { subprocessorChangesRoutes } from './modules/subprocessor-changes/subprocessor-changes.routes.js';
import { subscribersRoutes } from './modules/subscribers/subscribers.routes.js';
import { tenantExportRoutes } from './modules/tenant-export/tenant-export.routes.js';
import { updatesRoutes } from './modules/updates/updates.routes.js';
import { createTokenService, type TokenService } from './platform/auth/jwt.js';
import { loadBackupKey } from './platform/backup/backup-key.js';
import type { BackupSchedule, BackupStatus } from './platform/backup/backup-status.js';
import { refuseInterruptedEmbeddedRestore } from './platform/backup/database-dump.js';
import { type Clock, systemClock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import { loadMasterKey, MasterKeyError, parseMasterKey } from './platform/crypto/master-key.js';
import { Sealer } from './platform/crypto/sealing.js';
import { type Database, openDatabase } from './platform/db/client.js';
import { acquireEmbeddedLock } from './platform/db/embedded-lock.js';
import { AppError } from './platform/errors.js';
import { createApiRateLimiter, DEFAULT_API_REQUESTS_PER_MINUTE } from './platform/http/api-rate-limit.js';
import { createDatabaseApiRateLimiter } from './platform/http/api-rate-limit-db.js';
import { API_PREFIX, type ApiRoute, registerApiRoutes } from './platform/http/api-route.js';
import { createApiAuthenticator } from './platform/http/authenticate.js';
import { tagErrorCode } from './platform/http/error-handler.js';
import { createFormRateLimiter } from './platform/http/form-rate-limit.js';
import { registerHealthRoutes } from './platform/http/health.routes.js';
import { registerMultipartUploads } from './platform/http/multipart.js';
import { buildOpenApiDocument } from './platform/http/openapi.js';
import { createHttpServer, logRequest } from './platform/http/server.js';
import type { TlsFiles } from './platform/http/tls.js';
import { createCoalescedRuns } from './platform/jobs/coalesced-runs.js';
import { createLogger, type Logger } from './platform/logging/logger.js';
import { createMailer, type Mailer, type SmtpDelivery } from './platform/mail/mailer.js';
import { outboxRoutes } from './platform/mail/outbox.routes.js';
import { ignoreObservations, type Observer } from './platform/metrics/observer.js';
import type { BlobStore } from './platform/storage/blob-store.js';
import { createLocalBlobStore } from './platform/storage/local-blob-store.js';
import { createS3BlobStore } from './platform/storage/s3-blob-store.js';
import { registerAnswersPublicRoutes } from './public/answers.routes.js';
import { createCustomDomainGate, createCustomDomainLookup } from './public/custom-domain-gate.js';
import { registerDocumentsPublicRoutes } from './public/documents.routes.js';
import { renderDraftPreview } from './public/draft-preview.js';
import { registerEvidencePublicRoutes } from './public/evidence.routes.js';
import { createPublicFastPath } from './public/fast-path.js';
import { registerFeedRoutes } from './public/feed.routes.js';
import { registerPublicRoutes } from './public/public.routes.js';
import { createPublishedCache } from './public/published-cache.js';
import { registerStatusPublicRoutes } from './public/status.routes.js';
import { registerSubscriptionRoutes } from './public/subscription.routes.js';
import { registerTrustPublicRoutes } from './public/trust.routes.js';
import { createServices, type ServiceDeps, type Services } from './services.js';

export interface App {
  readonly server: FastifyInstance;
  readonly services: Services;
  readonly tokens: TokenService;
  readonly apiRoutes: readonly ApiRoute[];
  readonly db: Database;
  /** Delivers the mail outbox; `attest start` polls it, tests call deliverDue() or kick(). */
  readonly mailer: Mailer;
  /** Where notices go after commit: the worker's queue (src/worker); without one they wait as pending rows. */
  setNoticeDispatcher(dispatch: NoticeDispatcher): void;
  /** Resolves once the evidence runs started by publishes are done (tests wait for it). */
  evidenceSettled(): Promise<void>;
  close(): Promise<void>;
}

/** PostgreSQL when DATABASE_URL is set, else the embedded database in the data directory (locked to this process). */
export async function openConfiguredDatabase(config: Config, logger?: Logger): Promise<Database> {
  if (config.databaseUrl)
    return openDatabase({ url: config.databaseUrl, logger, timeouts: config.databaseTimeouts });
  const release = acquireEmbeddedLock(config.dataDir);
  try {
    refuseInterruptedEmbeddedRestore(config.dataDir);
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

/** The configured blob store: the local data directory by default, or an S3-compatible bucket. */
export function blobStoreFor(config: Config): BlobStore {
  const storage = config.storage;
  if (storage.driver === 'local') return createLocalBlobStore(storage.dir);
  return createS3BlobStore({
    bucket: storage.bucket,
    region: storage.region,
    endpoint: storage.endpoint,
    prefix: storage.prefix,
    forcePathStyle: storage.forcePathStyle,
    connectTimeoutMs: storage.connectTimeoutMs,
    requestTimeoutMs: storage.requestTimeoutMs,
  });
}

/**
 * The worker's backup schedule (decision 0027), or null when ATTEST_BACKUP_DIR is unset (with
 * PostgreSQL; the embedded database backs up into its data directory by default).
 */
export function backupScheduleFor(config: Config): BackupSchedule | null {
  if (!config.backup.dir) return null;
  return {
    dir: config.backup.dir,
    s3: config.backup.s3,
    intervalMs: config.backup.intervalMs,
    keep: config.backup.keep,
    backupKey: loadBackupKey(config),
    backupUrl: config.backup.databaseUrl,
  };
}

export function sealerFor(config: Config): Sealer {
  return new Sealer(
    loadMasterKey({
      value: config.masterKey,
      dataDir: config.dataDir,
      production: config.nodeEnv === 'production',
    }),
    config.previousMasterKeys.map((key) => {
      try {
        return parseMasterKey(key);
      } catch {
        throw new MasterKeyError(
          'ATTEST_PREVIOUS_MASTER_KEYS must hold 32-byte keys, base64 or hex, comma-separated',
        );
      }
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
  /** Believe X-Forwarded-For from a reverse proxy (client networks for rate limits and logs). */
  trustProxy?: boolean;
  /** Document blobs; by default a scratch directory that is removed on close (tests, previews). */
  blobs?: BlobStore;
  /** SMTP server for the outbox; unset keeps mails in the outbox (status 'stored'). */
  smtpUrl?: string | undefined;
  mailFrom?: string;
  /** How the outbox's SMTP client connects and paces itself (default: 4 connections, no limits). */
  smtpDelivery?: SmtpDelivery;
  /** Largest accepted upload (default 25 MB). */
  maxUploadBytes?: number;
  /** API requests per credential per minute, across processes (default 600; 0 turns it off). */
  apiRequestsPerMinute?: number;
  /**
   * Where the API counts: in the database, shared by every process (the default), or in this
   * process's memory (the bench's yardstick; N processes would allow N times the limit).
   */
  apiRateLimitCounting?: 'database' | 'memory';
  /** The limiter's time (tests move it); the business clock above does not pace it. */
  rateLimitNow?: () => number;
  /** Where responses and evidence runs are counted (the metrics); by default nowhere. */
  observe?: Observer;
  /** Serve HTTPS (TLS 1.3 only) with these PEM files; by default plain HTTP behind a proxy. */
  tls?: TlsFiles | undefined;
  /** How checks of tenants' own hosts reach them (ATTEST_CHECK_ALLOW_PRIVATE; tests: a guard). */
  hostChecks?: ServiceDeps['hostChecks'];
  /** The installation's backups, for the backup evidence checks (decision 0027). */
  backups?: BackupStatus | null;
}

/** Routes that take access away: they keep working while a tenant is closing and read-only. */
const REVOCATIONS_WHILE_CLOSING: ReadonlySet<string> = new Set([
  'DELETE /members/:id',
  'DELETE /invitations/:id',
  'DELETE /api-keys/:id',
  'DELETE /grants/:id',
  // A closing tenant's owner takes everything along before the deletion.
  'POST /exports',
  'POST /exports/:id/link',
]);

/** Every /api/v1 route, in one list: registered, documented (OpenAPI) and crossed by the isolation test. */
export function allApiRoutes(services: Services): ApiRoute[] {
  return [
    ...contentRoutes(services),
    ...publishingRoutes(services, renderDraftPreview),
    ...accountsRoutes(services),
    ...apiKeysRoutes(services),
    ...auditRoutes(services),
    ...updatesRoutes(services),
    ...subprocessorChangesRoutes(services),
    ...subscribersRoutes(services),
    // Before the documents: a certification's report deleted first would take the certification with it.
    ...certificationsRoutes(services),
    ...documentsRoutes(services),
    ...accessRoutes(services),
    ...outboxRoutes(services),
    ...evidenceRoutes(services),
    ...hostChecksRoutes(services),
    ...tenantExportRoutes(services),
    ...knowledgeBaseRoutes(services),
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
  blobs,
  smtpUrl,
  mailFrom = 'no-reply@attest.invalid',
  smtpDelivery,
  maxUploadBytes = 25 * 1024 * 1024,
  trustProxy = false,
  apiRequestsPerMinute = DEFAULT_API_REQUESTS_PER_MINUTE,
  rateLimitNow,
  apiRateLimitCounting = 'database',
  observe = ignoreObservations,
  tls,
  hostChecks,
  backups = null,
}: AppOptions): Promise<App> {
  const scratchBlobs = blobs ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'attest-blobs-'));
  const blobStore = blobs ?? createLocalBlobStore(scratchBlobs ?? '');
  const mailer = createMailer({
    db,
    smtpUrl,
    from: mailFrom,
    clock,
    logger,
    ...(smtpDelivery ? { delivery: smtpDelivery } : {}),
  });
  let invalidate: (tenantId: string) => void = () => {};
  let dispatchNotice: NoticeDispatcher = () => {};
  const services = createServices({
    db,
    sealer,
    clock,
    publicUrl,
    blobs: blobStore,
    mailQueued: () => void mailer.kick(),
    onPublished: (tenantId) => {
      invalidate(tenantId);
      evidenceAfterPublish(tenantId);
    },
    // A check that began or ended failing changes what its controls show on the public pages.
    onEvidenceChanged: (tenantId) => invalidate(tenantId),
    dispatchNotice: (tenantId, noticeId) => dispatchNotice(tenantId, noticeId),
    observe,
    ...(hostChecks ? { hostChecks } : {}),
    backups,
  });
  const cache = createPublishedCache({
    tenants: services.tenants,
    publishing: services.publishing,
    evidence: services.evidence,
    hostChecks: services.hostChecks,
    revalidateMs: publicCacheMs,
  });
  invalidate = cache.invalidate;

  // A check a control names for the first time gets its result right after the publish, so the
  // security page never links to an empty spot on the evidence page (the worker reruns all later).
  // A publish that lands while the previous publish's run is under way gets a run of its own.
  const evidenceRuns = createCoalescedRuns(
    // Then a signed manifest that carries the new results (decision 0029).
    async (tenantId) => {
      await services.evidence.runMissing(tenantId);
      await services.trust.refresh(tenantId);
    },
    (tenantId, error) =>
      logger.warn({ tenantId, err: { type: (error as Error).name } }, 'evidence after publish failed'),
  );
  const evidenceAfterPublish = (tenantId: string) => evidenceRuns.request(tenantId);

  const tokens = createTokenService({ db, sealer, issuer: publicUrl, clock });
  await tokens.ensureKey();
  const internalSecret = randomBytes(32).toString('base64url');
  const apiRoutes = allApiRoutes(services);

  const openApi = buildOpenApiDocument(apiRoutes, {
    title: 'Attest API',
    version: '1',
    serverUrl: `${publicUrl}${API_PREFIX}`,
  });

  const server = await createHttpServer({
    logger,
    trustProxy,
    fastPath: createPublicFastPath(cache, clock),
    observe,
    ...(tls ? { tls } : {}),
  });
  server.setNotFoundHandler((_request, reply) => {
    tagErrorCode(reply, 'route.not_found');
    return reply.code(404).send(new AppError('route.not_found').toJSON());
  });
  // Before every scope: a tenant's custom domain serves its public pages and nothing of the platform.
  server.addHook(
    'onRequest',
    createCustomDomainGate({
      publicUrl,
      isCustomDomain: createCustomDomainLookup({ tenants: services.tenants, revalidateMs: publicCacheMs }),
    }),
  );

  // The application: API, BFF, health. Every request is logged; JSON answers are compressed.
  await server.register(async (scope) => {
    scope.addHook('onResponse', async (request, reply) => logRequest(request, reply));
    await scope.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });
    await scope.register(cookie);
    await registerMultipartUploads(scope, { maxUploadBytes });
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
      { isWritable: services.tenants.isWritable, allowed: REVOCATIONS_WHILE_CLOSING },
      apiRequestsPerMinute > 0
        ? apiRateLimitCounting === 'memory'
          ? createApiRateLimiter({
              perMinute: apiRequestsPerMinute,
              ...(rateLimitNow ? { now: rateLimitNow } : {}),
            })
          : createDatabaseApiRateLimiter({
              db,
              perMinute: apiRequestsPerMinute,
              ...(rateLimitNow ? { now: rateLimitNow } : {}),
            })
        : undefined,
    );
    await scope.register(async (bff) =>
      registerBffRoutes(bff, {
        services,
        tokens,
        allowedOrigins: new Set([new URL(publicUrl).origin]),
        issuerName: 'Attest',
        internalSecret,
        maxUploadBytes,
      }),
    );
  });

  // The admin console: the single-page app's files under /admin (it talks only to /bff).
  await server.register(async (scope) => registerAdminConsole(scope));

  // The public site: precompressed pages from memory. Only failures are logged: a page view is
  // the hot path, and a reverse proxy in front keeps the access log of the public site.
  await server.register(async (scope) => {
    scope.addHook('onResponse', (request, reply, done) => {
      if (reply.statusCode >= 400) logRequest(request, reply);
      done();
    });
    await registerPublicRoutes(scope, { cache, clock });
    await registerFeedRoutes(scope, { cache, publicUrl, clock });
    await registerEvidencePublicRoutes(scope, { cache, services });
    await registerTrustPublicRoutes(scope, { cache, services });
    await registerStatusPublicRoutes(scope, { cache, services });
    await scope.register(async (forms) =>
      registerSubscriptionRoutes(forms, {
        cache,
        services,
        limiter: createFormRateLimiter({ db, clock }),
        publicUrl,
      }),
    );
    await scope.register(async (answers) =>
      registerAnswersPublicRoutes(answers, {
        cache,
        services,
        limiter: createFormRateLimiter({ db, clock }),
      }),
    );
    await scope.register(async (documents) =>
      registerDocumentsPublicRoutes(documents, {
        cache,
        services,
        limiter: createFormRateLimiter({ db, clock }),
        publicUrl,
      }),
    );
  });

  let closing: Promise<void> | undefined;
  return {
    server,
    services,
    tokens,
    apiRoutes,
    db,
    mailer,
    evidenceSettled: () => evidenceRuns.idle(),
    setNoticeDispatcher(dispatch) {
      dispatchNotice = dispatch;
    },
    close() {
      closing ??= (async () => {
        await evidenceRuns.drain();
        await server.close();
        await services.visitorLinks.settled();
        await mailer.stop();
        await db.close();
        if (scratchBlobs) fs.rmSync(scratchBlobs, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
