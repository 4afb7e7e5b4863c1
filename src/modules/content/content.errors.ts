import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The content module's error codes: the HTTP status and the message people see for each. */
export const contentErrors = registerErrorCodes({
  'content.invalid_import': { status: 422, message: 'The trust center file is not valid.' },
  /** A control names a document this trust center does not have (another tenant's is not found either). */
  'content.document_not_found': { status: 404, message: 'Not found.' },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof contentErrors, ErrorSpec> {}
}
