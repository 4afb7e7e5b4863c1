import { AppError, type ErrorCode } from '../errors.js';

/** PostgreSQL error codes we expect from normal use, and what they mean to a client. */
const expected: Record<string, ErrorCode> = {
  '23505': 'content.key_taken', // unique_violation
  '23503': 'content.not_found', // foreign_key_violation: the referenced item is gone or not yours
  '23514': 'request.invalid', // check_violation: a bound the contract should already have caught
  '22P02': 'request.invalid', // invalid_text_representation
  '22001': 'request.invalid', // string_data_right_truncation
};

/** The SQLSTATE and, for constraint violations, the constraint's name of a driver error. */
export function pgErrorOf(error: unknown): { code: string; constraint: string | undefined } | undefined {
  let current: unknown = error;
  // Drizzle wraps driver errors; the PostgreSQL code sits on the cause.
  for (let depth = 0; depth < 3 && current && typeof current === 'object'; depth += 1) {
    const { code, constraint } = current as { code?: unknown; constraint?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      return { code, constraint: typeof constraint === 'string' ? constraint : undefined };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function pgCode(error: unknown): string | undefined {
  return pgErrorOf(error)?.code;
}

/**
 * Turns an expected database error into an AppError; anything else is rethrown untouched and
 * ends as a 500 (raw database messages never reach a client).
 */
export function translateDatabaseError(
  error: unknown,
  overrides: Partial<Record<string, ErrorCode>> = {},
): never {
  if (error instanceof AppError) throw error;
  const code = pgCode(error);
  const mapped = code ? (overrides[code] ?? expected[code]) : undefined;
  if (mapped) throw new AppError(mapped);
  throw error;
}

export function isUniqueViolation(error: unknown): boolean {
  return pgCode(error) === '23505';
}

/** Node's socket errors that mean the server could not be reached or went away. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * SQLSTATEs of a server that is there but cannot serve now: a connection exception (class 08),
 * shutting down or starting (57P01–57P03), too many connections (53300), a statement cancelled by
 * statement_timeout (57014), a session ended by idle_in_transaction_session_timeout (25P03).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300|57014|25P03)$/;

/** node-postgres and pg-pool's own messages for a lost or never-made connection. */
const DRIVER_MESSAGES = [
  'timeout expired',
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'is not queryable',
];

/**
 * Whether an error says the database is unreachable or too slow, rather than that the request was
 * wrong: such a request is answered 503 with Retry-After, never 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNREACHABLE.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
    if (typeof message === 'string' && DRIVER_MESSAGES.some((known) => message.includes(known))) return true;
    // An AggregateError (a host with several addresses, all refused) carries its causes in `errors`.
    const inner = (current as { errors?: unknown }).errors;
    if (Array.isArray(inner) && inner.some((each) => isDatabaseUnavailable(each))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
