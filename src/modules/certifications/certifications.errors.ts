import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The certifications module's error codes: the HTTP status and the message people see for each. */
export const certificationsErrors = registerErrorCodes({
  'certification.not_found': { status: 404, message: 'Not found.' },
  /** No badge without a report: the document must be this trust center's, with a file. */
  'certification.document_not_found': { status: 404, message: 'Not found.' },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof certificationsErrors, ErrorSpec> {}
}
