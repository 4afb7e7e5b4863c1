import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The tenants module's error codes: the HTTP status and the message people see for each. */
export const tenantsErrors = registerErrorCodes({
  'tenant.slug_taken': { status: 409, message: 'That slug is already in use.' },
  'tenant.domain_taken': { status: 409, message: 'That custom domain is already in use.' },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof tenantsErrors, ErrorSpec> {}
}
