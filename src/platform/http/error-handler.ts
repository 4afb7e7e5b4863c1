import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { describePoolError } from '../db/client.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { AppError, type ErrorCode, errorMessage, errorStatus } from '../errors.js';
import { describeError } from '../logging/logger.js';
import { BlobStoreUnavailableError } from '../storage/blob-store.js';
import { securityHeaders } from './security-headers.js';

const errorCodeOf = Symbol('attest.errorCode');

/** The error code a reply carries (set by the error handler), for the access metrics; else undefined. */
export function replyErrorCode(reply: FastifyReply): ErrorCode | undefined {
  return (reply as FastifyReply & { [errorCodeOf]?: ErrorCode })[errorCodeOf];
}

/** Marks a reply as carrying this error code (for an error body built outside the handler). */
export function tagErrorCode(reply: FastifyReply, code: ErrorCode): void {
  (reply as FastifyReply & { [errorCodeOf]?: ErrorCode })[errorCodeOf] = code;
}

function body(
  reply: FastifyReply,
  code: ErrorCode,
  requestId: string,
  details?: readonly { path: string; message: string }[],
) {
  tagErrorCode(reply, code);
  return { error: { code, message: errorMessage(code), requestId, ...(details?.length ? { details } : {}) } };
}

/** Fastify's own 4xx errors (bad JSON, body too large, wrong content type) mapped onto our codes. */
function frameworkCode(error: FastifyError): ErrorCode | undefined {
  const status = error.statusCode ?? 500;
  if (status === 413) return 'request.too_large';
  if (status === 415) return 'request.unsupported_media_type';
  if (status === 404) return 'route.not_found';
  if (status === 429) return 'rate.limited';
  if (status >= 400 && status < 500) return 'request.invalid';
  return undefined;
}

/** The driver's own error under Drizzle's wrapper (whose message quotes the query and its values). */
function innermost(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth += 1) {
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (!(cause instanceof Error)) break;
    current = cause;
  }
  return current;
}

/** Seconds a client is asked to wait when a dependency is down (a 503): short, the outage may be a restart. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The single place where errors become responses. Known errors keep their status and code;
 * a database that cannot be reached or timed out is a 503 with Retry-After; everything else is a
 * 500 that carries only the request id, so a client never sees internals.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError | ZodError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status === 503) reply.header('retry-after', RETRY_AFTER_SECONDS);
      return reply.status(error.status).send(body(reply, error.code, request.id, error.details));
    }
    // The blob store is down, too slow or full: a write stored nothing (it cleans up after itself).
    if (error instanceof BlobStoreUnavailableError) {
      request.log.warn({ operation: error.operation, reason: error.reason }, 'blob store unavailable');
      reply.header('retry-after', RETRY_AFTER_SECONDS);
      const code = error.operation === 'put' ? 'storage.unavailable' : 'service.unavailable';
      return reply.status(503).send(body(reply, code, request.id));
    }
    // The database is down or too slow: not the request's fault, and not a bug. Logged (type, code,
    // message without connection strings) so an operator sees the outage.
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: describePoolError(innermost(error)) }, 'database unavailable');
      reply.header('retry-after', RETRY_AFTER_SECONDS);
      return reply.status(503).send(body(reply, 'service.unavailable', request.id));
    }
    if (error instanceof ZodError) {
      const details = error.issues
        .slice(0, 20)
        .map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      return reply.status(400).send(body(reply, 'request.invalid', request.id, details));
    }
    const code = frameworkCode(error as FastifyError);
    if (code) return reply.status(errorStatus(code)).send(body(reply, code, request.id));
    request.log.error({ err: describeError(error) }, 'unhandled error');
    return reply.status(500).send(body(reply, 'internal', request.id));
  });
}

/**
 * Errors the router raises before any hook runs: a path that is not valid percent-encoding
 * ("/t/%E0%A4%A/security") or a path parameter over the length limit. Fastify's own answer
 * echoes the path back; ours is the usual error body. No hook has run, so the security headers
 * are set here.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.headers(securityHeaders);
  if (error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return reply.status(400).send(body(reply, 'request.invalid', request.id));
  }
  request.log.error({ err: describeError(error) }, 'unhandled router error');
  return reply.status(500).send(body(reply, 'internal', request.id));
}
