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
