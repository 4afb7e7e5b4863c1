import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The tenant export and import's error codes. */
export const tenantExportErrors = registerErrorCodes({
  'tenant_export.not_found': { status: 404, message: 'Not found.' },
  'tenant_export.not_ready': {
    status: 409,
    message: 'The export has not finished (or it failed or expired).',
  },
  'tenant_export.link_invalid': {
    status: 404,
    message: 'This download link is unknown, used or expired. Ask for a new one.',
  },
  'tenant_export.already_running': {
    status: 409,
    message: 'An export of this trust center is already under way.',
  },
  'tenant_import.refused': {
    status: 400,
    message: 'The archive was refused; nothing was imported.',
  },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof tenantExportErrors, ErrorSpec> {}
}
