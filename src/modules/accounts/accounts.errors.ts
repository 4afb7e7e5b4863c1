import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The accounts module's error codes: the HTTP status and the message people see for each. */
export const accountsErrors = registerErrorCodes({
  'auth.mfa_invalid': { status: 401, message: 'That code is not valid.' },
  'auth.mfa_throttled': { status: 429, message: 'Too many wrong codes. Wait a moment and try again.' },
  'auth.mfa_enrollment_required': {
    status: 403,
    message: 'This trust center requires two-factor authentication. Set it up first.',
  },
  'auth.weak_password': { status: 422, message: 'Choose a stronger password.' },
  'auth.invitation_invalid': { status: 404, message: 'This invitation is not valid any more.' },
  'member.not_found': { status: 404, message: 'Not found.' },
  'member.last_owner': { status: 409, message: 'A trust center needs at least one owner.' },
  'member.exists': { status: 409, message: 'That person is already a member.' },
  'role.not_found': { status: 404, message: 'No such role.' },
  'role.in_use': { status: 409, message: 'That role is still assigned to members.' },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof accountsErrors, ErrorSpec> {}
}
