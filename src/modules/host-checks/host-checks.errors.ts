import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The host-checks module's error codes: the HTTP status and the message people see for each. */
export const hostChecksErrors = registerErrorCodes({
  'host_check.not_found': { status: 404, message: 'Not found.' },
  'host_check.limit_reached': {
    status: 409,
    message: 'This trust center has as many host checks as it may have.',
  },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof hostChecksErrors, ErrorSpec> {}
}
