import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The notices module's error codes: the HTTP status and the message people see for each. */
export const noticesErrors = registerErrorCodes({
  'notice.not_found': { status: 404, message: 'Not found.' },
  'notice.not_failed': { status: 409, message: 'Only a failed notice can be retried.' },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof noticesErrors, ErrorSpec> {}
}
