import { type ErrorSpec, registerErrorCodes } from '../errors.js';

/** The mail outbox's error codes: the HTTP status and the message people see for each. */
export const mailErrors = registerErrorCodes({
  'mail.not_found': { status: 404, message: 'Not found.' },
  'mail.not_failed': {
    status: 409,
    message: 'Only a mail that failed, and is still kept in the outbox, can be sent again.',
  },
} as const satisfies Record<string, ErrorSpec>);

declare module '../errors.js' {
  interface ErrorCodes extends Record<keyof typeof mailErrors, ErrorSpec> {}
}
