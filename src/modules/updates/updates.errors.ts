import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The updates module's error codes: the HTTP status and the message people see for each. */
export const updatesErrors = registerErrorCodes({
  'update.not_found': { status: 404, message: 'Not found.' },
  'incident.not_found': { status: 404, message: 'Not found.' },
  'incident.notified_before_detected': {
    status: 422,
    message: 'Neither the notification nor the resolution can come before the incident was detected.',
  },
  'incident.time_in_future': { status: 400, message: 'An incident time cannot lie in the future.' },
  'incident.detection_moved_later': {
    status: 422,
    message:
      'The detection time can be moved earlier, not later: a later time would shorten the time to notify customers.',
  },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof updatesErrors, ErrorSpec> {}
}
