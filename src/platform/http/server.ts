import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type https from 'node:https';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import { truncateAddress } from '../logging/logger.js';
import { ignoreObservations, type Observer } from '../metrics/observer.js';
import { frameworkErrors, registerErrorHandler, replyErrorCode } from './error-handler.js';
import { registerJsonBodyParser } from './json-body.js';
import { registerSecurityHeaders } from './security-headers.js';
import { createTlsServer, type TlsFiles } from './tls.js';

export interface ServerOptions {
  logger: Logger;
  /** Largest accepted request body; imports raise it per route. */
  bodyLimit?: number;
  trustProxy?: boolean;
  /** Answers a request before routing when it can (the public pages' memory cache); else false. */
  fastPath?: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** Where every response is counted and timed (the metrics); by default nowhere. */
  observe?: Observer;
  /** Serve HTTPS with this certificate and key (TLS 1.3 only; see tls.ts); else plain HTTP. */
  tls?: TlsFiles;
}

/** The route label of a public page answered from memory before routing (decision 0002). */
export const FAST_PATH_ROUTE = '(public page from memory)';

/** The response header that carries the request id (also in every error body as `requestId`). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** A proxy's request id is taken only in this shape: bounded, and nothing a log or header could misread. */
const INCOMING_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const requestIdOf = Symbol('attest.requestId');

/**
 * The request's id: the reverse proxy's `X-Request-Id` when the operator trusts the proxy and it is
 * well-formed (so one id follows the request through both logs), else a fresh random one. A client
 * without a trusted proxy in front cannot choose the id that lands in our logs.
 */
export function requestIdFor(request: IncomingMessage, trustProxy: boolean): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  if (trustProxy && typeof incoming === 'string' && INCOMING_REQUEST_ID.test(incoming)) return incoming;
  return randomUUID();
}

const tenantBound = Symbol('attest.tenantBound');

/**
 * Adds the tenant to every later log line of this request (the access line included), once the
 * tenant is known: after authentication, or once a public page's slug or host is resolved.
 */
export function bindTenantToLog(request: FastifyRequest, tenantId: string): void {
  const tagged = request as FastifyRequest & { [tenantBound]?: string };
  if (tagged[tenantBound] === tenantId) return;
  tagged[tenantBound] = tenantId;
  request.log = request.log.child({ tenantId });
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
  const trustProxy = options.trustProxy ?? false;
  const observe = options.observe ?? ignoreObservations;
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy,
    // The id the server factory below chose (and already put on the response), or for inject().
    genReqId: (raw) =>
      (raw as IncomingMessage & { [requestIdOf]?: string })[requestIdOf] ?? requestIdFor(raw, trustProxy),
    requestIdHeader: false,
    // Our own access line replaces Fastify's two lines per request (which carry full URLs).
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    return503OnClosing: true,
    frameworkErrors,
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    serverFactory: (handler) => {
      const listener = (request: IncomingMessage, response: ServerResponse) => {
        // Every answer carries its request id, the public fast path's included (it never reaches Fastify).
        const id = requestIdFor(request, trustProxy);
        (request as IncomingMessage & { [requestIdOf]?: string })[requestIdOf] = id;
        response.setHeader(REQUEST_ID_HEADER, id);
        const started = performance.now();
        if (options.fastPath?.(request, response)) {
          if (observe !== ignoreObservations) {
            response.once('finish', () =>
              observe.httpResponse({
                method: request.method ?? 'GET',
                route: FAST_PATH_ROUTE,
                status: response.statusCode,
                seconds: (performance.now() - started) / 1000,
              }),
            );
          }
          return;
        }
        handler(request, response);
      };
      const server: http.Server | https.Server = options.tls
        ? createTlsServer(options.tls, listener, options.logger)
        : http.createServer(listener);
      server.requestTimeout = 30_000;
      server.headersTimeout = 30_000;
      return server;
    },
  }) as unknown as FastifyInstance;

  // inject() skips the server factory: the header is set here too (the same id, so no conflict).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  if (observe !== ignoreObservations) {
    app.addHook('onResponse', (request, reply, done) => {
      observe.httpResponse({
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        seconds: reply.elapsedTime / 1000,
        errorCode: replyErrorCode(reply),
      });
      done();
    });
  }
  registerSecurityHeaders(app);
  registerErrorHandler(app);
  registerJsonBodyParser(app);
  return app;
}
