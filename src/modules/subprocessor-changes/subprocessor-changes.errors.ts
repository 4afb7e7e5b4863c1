import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The subprocessor-changes module's error codes: the HTTP status and the message people see for each. */
export const subprocessorChangesErrors = registerErrorCodes({
  'subprocessor_change.not_found': { status: 404, message: 'Not found.' },
  'subprocessor_change.too_soon': {
    status: 422,
    message: 'The effective date must be at least the notice period from today.',
  },
  'subprocessor_change.unknown_subprocessor': {
    status: 422,
    message: 'There is no subprocessor with that key in the list.',
  },
  'subprocessor_change.key_taken': { status: 409, message: 'A subprocessor with that key already exists.' },
  'subprocessor_change.not_scheduled': { status: 409, message: 'This change is no longer scheduled.' },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof subprocessorChangesErrors, ErrorSpec> {}
}
