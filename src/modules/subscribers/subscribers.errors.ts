import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The subscribers module's error codes: the HTTP status and the message people see for each. */
export const subscribersErrors = registerErrorCodes({
  'subscription.link_invalid': { status: 404, message: 'This link is not valid any more.' },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof subscribersErrors, ErrorSpec> {}
}
