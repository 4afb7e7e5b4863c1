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
  'auth.mfa_throttled': { status: 429, message: 'Too many wrong codes. Wait a moment and try again.' },
  'auth.session_expired': { status: 401, message: 'Your session has ended. Sign in again.' },
  'auth.origin_rejected': { status: 403, message: 'This request did not come from this site.' },
  'auth.weak_password': { status: 422, message: 'Choose a stronger password.' },
  // One answer for an unknown, suspended or foreign trust center: it does not say which.
  'auth.trust_center_unavailable': {
    status: 404,
    message: 'That trust center is not available to you. Check the name or sign in to it.',
  },
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
  'tenant.read_only': {
    status: 409,
    message: 'This trust center is closing: it can be read and exported, but no longer changed.',
  },
  'content.not_found': { status: 404, message: 'Not found.' },
  'content.key_taken': { status: 409, message: 'An item with that key already exists.' },
  'content.invalid_import': { status: 422, message: 'The trust center file is not valid.' },
  'content.nothing_to_publish': { status: 409, message: 'There is nothing to publish yet.' },
  'snapshot.not_found': { status: 404, message: 'No such published version.' },
  'rate.limited': { status: 429, message: 'Too many requests. Try again later.' },
  'update.not_found': { status: 404, message: 'Not found.' },
  'incident.not_found': { status: 404, message: 'Not found.' },
  'incident.notified_before_detected': {
    status: 422,
    message: 'Customers cannot have been notified before the incident was detected.',
  },
  'notice.not_found': { status: 404, message: 'Not found.' },
  'notice.not_failed': { status: 409, message: 'Only a failed notice can be retried.' },
  'subprocessor_change.not_found': { status: 404, message: 'Not found.' },
  'subprocessor_change.too_soon': {
    status: 422,
    message: 'The effective date must be at least the notice period from today.',
  },
  'subprocessor_change.unknown_subprocessor': {
    status: 422,
    message: 'There is no subprocessor with that key in the list.',
  },
  'subprocessor_change.key_taken': { status: 409, message: 'A subprocessor with that key already exists.' },
  'subprocessor_change.not_scheduled': { status: 409, message: 'This change is no longer scheduled.' },
  'subscription.link_invalid': { status: 404, message: 'This link is not valid any more.' },
  'document.not_found': { status: 404, message: 'Not found.' },
  'document.file_required': { status: 400, message: 'Attach the file to upload.' },
  'document.empty_file': { status: 422, message: 'The file is empty.' },
  'document.bad_filename': { status: 400, message: 'The file name is not acceptable.' },
  'document.type_not_allowed': {
    status: 415,
    message: 'This kind of file is not accepted: upload PDF, DOCX, XLSX, PNG, JPEG, plain text or Markdown.',
  },
  'document.type_mismatch': { status: 422, message: "The file's content does not match its extension." },
  'document.pdf_unreadable': {
    status: 422,
    message: 'This PDF cannot be opened for watermarking (it is encrypted or damaged).',
  },
  'access_request.not_found': { status: 404, message: 'Not found.' },
  'access_request.already_decided': { status: 409, message: 'This request has already been decided.' },
  'access_request.invalid': { status: 400, message: 'Check the highlighted fields and try again.' },
  'access_request.nda_outdated': {
    status: 409,
    message: 'The confidentiality agreement has changed since the page was loaded. Read it again.',
  },
  'grant.not_found': { status: 404, message: 'Not found.' },
  'grant.ended': { status: 409, message: 'This access has ended; it cannot be changed any more.' },
  'grant.link_invalid': { status: 404, message: 'This link is not valid any more.' },
  'visitor.access_required': {
    status: 403,
    message: 'This document is shared on request. Request access, or open the link from your e-mail.',
  },
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
