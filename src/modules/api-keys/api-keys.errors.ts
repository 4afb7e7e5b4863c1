import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The api-keys module's error codes: the HTTP status and the message people see for each. */
export const apiKeysErrors = registerErrorCodes({
  'api_key.not_found': { status: 404, message: 'Not found.' },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof apiKeysErrors, ErrorSpec> {}
}
