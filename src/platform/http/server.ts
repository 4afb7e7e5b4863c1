import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import { truncateAddress } from '../logging/logger.js';
import { frameworkErrors, registerErrorHandler } from './error-handler.js';
import { registerJsonBodyParser } from './json-body.js';
import { registerSecurityHeaders } from './security-headers.js';

export interface ServerOptions {
  logger: Logger;
  /** Largest accepted request body; imports raise it per route. */
  bodyLimit?: number;
  trustProxy?: boolean;
  /** Answers a request before routing when it can (the public pages' memory cache); else false. */
  fastPath?: (request: IncomingMessage, response: ServerResponse) => boolean;
}

/** One access-log line: method, route pattern (never the URL, which may carry data), status, time, network. */
export function logRequest(request: FastifyRequest, reply: FastifyReply): void {
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
}

/**
 * The HTTP server with what every route shares: security headers, error mapping and request ids.
 * Access logging and compression are added per scope by the app (the public pages are served
 * precompressed and log only failures, see decision 0002).
 */
export async function createHttpServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // Our own access line replaces Fastify's two lines per request (which carry full URLs).
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    return503OnClosing: true,
    frameworkErrors,
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    serverFactory: (handler) => {
      const server = http.createServer((request, response) => {
        if (options.fastPath?.(request, response)) return;
        handler(request, response);
      });
      server.requestTimeout = 30_000;
      server.headersTimeout = 30_000;
      return server;
    },
  }) as unknown as FastifyInstance;

  registerSecurityHeaders(app);
  registerErrorHandler(app);
  registerJsonBodyParser(app);
  return app;
}
