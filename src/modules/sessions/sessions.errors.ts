import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The sessions module's error codes: the HTTP status and the message people see for each. */
export const sessionsErrors = registerErrorCodes({
  'auth.invalid_credentials': {
    status: 401,
    message: 'The e-mail address, password or trust center is not correct.',
  },
  'auth.mfa_required': {
    status: 401,
    message: 'Enter the code from your authenticator app or a recovery code.',
  },
  'auth.throttled': { status: 429, message: 'Too many failed sign-ins. Wait a moment and try again.' },
  'auth.session_expired': { status: 401, message: 'Your session has ended. Sign in again.' },
  // One answer for an unknown, suspended or foreign trust center: it does not say which.
  'auth.trust_center_unavailable': {
    status: 404,
    message: 'That trust center is not available to you. Check the name or sign in to it.',
  },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof sessionsErrors, ErrorSpec> {}
}
