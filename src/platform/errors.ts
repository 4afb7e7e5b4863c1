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
  'auth.invalid_credentials': {
    status: 401,
    message: 'The e-mail address, password or trust center is not correct.',
  },
  'auth.mfa_required': {
    status: 401,
    message: 'Enter the code from your authenticator app or a recovery code.',
  },
  'auth.mfa_invalid': { status: 401, message: 'That code is not valid.' },
  'auth.mfa_enrollment_required': {
    status: 403,
    message: 'This trust center requires two-factor authentication. Set it up first.',
  },
  'auth.throttled': { status: 429, message: 'Too many failed sign-ins. Wait a moment and try again.' },
  'auth.session_expired': { status: 401, message: 'Your session has ended. Sign in again.' },
  'auth.origin_rejected': { status: 403, message: 'This request did not come from this site.' },
  'auth.weak_password': { status: 422, message: 'Choose a stronger password.' },
  'auth.invitation_invalid': { status: 404, message: 'This invitation is not valid any more.' },
  'member.not_found': { status: 404, message: 'Not found.' },
  'member.last_owner': { status: 409, message: 'A trust center needs at least one owner.' },
  'member.exists': { status: 409, message: 'That person is already a member.' },
  'role.not_found': { status: 404, message: 'No such role.' },
  'role.in_use': { status: 409, message: 'That role is still assigned to members.' },
  'api_key.not_found': { status: 404, message: 'Not found.' },
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
