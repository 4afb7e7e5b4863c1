import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The updates module's error codes: the HTTP status and the message people see for each. */
export const updatesErrors = registerErrorCodes({
  'update.not_found': { status: 404, message: 'Not found.' },
  'incident.not_found': { status: 404, message: 'Not found.' },
  'incident.notified_before_detected': {
    status: 422,
    message: 'Customers cannot have been notified before the incident was detected.',
  },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof updatesErrors, ErrorSpec> {}
}
