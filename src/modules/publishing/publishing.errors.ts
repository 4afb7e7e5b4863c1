import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The publishing module's error codes: the HTTP status and the message people see for each. */
export const publishingErrors = registerErrorCodes({
  'content.nothing_to_publish': { status: 409, message: 'There is nothing to publish yet.' },
  'snapshot.not_found': { status: 404, message: 'No such published version.' },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof publishingErrors, ErrorSpec> {}
}
