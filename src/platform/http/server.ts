import { randomUUID } from 'node:crypto';
import compress from '@fastify/compress';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { truncateAddress } from '../logging/logger.js';
import { registerErrorHandler } from './error-handler.js';
import { registerSecurityHeaders } from './security-headers.js';

export interface ServerOptions {
  logger: Logger;
  /** Largest accepted request body; uploads raise it per route. */
  bodyLimit?: number;
  trustProxy?: boolean;
}

/**
 * The HTTP server with what every route shares: security headers, error mapping, compression,
 * request ids, and request logs that carry no personal data (addresses truncated, no query strings).
 */
export async function createHttpServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // Our own onResponse line replaces Fastify's two lines per request (which carry full URLs).
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    return503OnClosing: true,
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
  }) as unknown as FastifyInstance;

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        client: truncateAddress(request.ip),
      },
      'request',
    );
  });

  await registerSecurityHeaders(app);
  registerErrorHandler(app);
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });
  return app;
}
