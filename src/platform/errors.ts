/**
 * One error type for everything a client may be told. The code names what went wrong; the table
 * below is the only place that maps a code to an HTTP status and a message for people. Anything
 * that is not an AppError is a bug and is answered as a 500 with no internals.
 */
const errorTable = {
  'request.invalid': { status: 400, message: 'The request is not valid.' },
  'request.too_large': { status: 413, message: 'The request body is too large.' },
  'request.unsupported_media_type': { status: 415, message: 'This content type is not accepted.' },
  'auth.required': { status: 401, message: 'Authentication is required.' },
  'auth.forbidden': { status: 403, message: 'You do not have permission to do this.' },
  'route.not_found': { status: 404, message: 'Not found.' },
  'tenant.not_found': { status: 404, message: 'No trust center is published here.' },
  'tenant.slug_taken': { status: 409, message: 'That slug is already in use.' },
  'tenant.domain_taken': { status: 409, message: 'That custom domain is already in use.' },
  'content.not_found': { status: 404, message: 'Not found.' },
  'content.key_taken': { status: 409, message: 'An item with that key already exists.' },
  'content.invalid_import': { status: 422, message: 'The trust center file is not valid.' },
  'content.nothing_to_publish': { status: 409, message: 'There is nothing to publish yet.' },
  'snapshot.not_found': { status: 404, message: 'No such published version.' },
  'rate.limited': { status: 429, message: 'Too many requests. Try again later.' },
  internal: { status: 500, message: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorTable;

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(errorTable[code].message);
    this.status = errorTable[code].status;
  }

  toJSON() {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details.length ? { details: this.details } : {}),
      },
    };
  }
}

export function errorStatus(code: ErrorCode): number {
  return errorTable[code].status;
}

export function errorMessage(code: ErrorCode): string {
  return errorTable[code].message;
}
