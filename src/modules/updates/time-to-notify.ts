import { NOTIFY_TARGET_HOURS, type notificationStates, WARN_AFTER_HOURS } from './updates.contract.js';

const HOUR_MS = 3_600_000;

/** How an incident stands against the promise to notify customers within 24 hours of detection. */
export function timeToNotify(detectedAt: Date, notifiedAt: Date | null, now: Date) {
  const deadline = new Date(detectedAt.getTime() + NOTIFY_TARGET_HOURS * HOUR_MS);
  const warnAt = new Date(detectedAt.getTime() + WARN_AFTER_HOURS * HOUR_MS);
  const end = notifiedAt ?? now;
  const elapsedMs = Math.max(0, end.getTime() - detectedAt.getTime());
  let state: (typeof notificationStates)[number];
  if (notifiedAt) state = notifiedAt.getTime() <= deadline.getTime() ? 'met' : 'missed';
  else if (now.getTime() > deadline.getTime()) state = 'overdue';
  else if (now.getTime() > warnAt.getTime()) state = 'warning';
  else state = 'on_track';
  return {
    targetHours: NOTIFY_TARGET_HOURS,
    deadline: deadline.toISOString(),
    warnAt: warnAt.toISOString(),
    minutes: Math.floor(elapsedMs / 60_000),
    state,
  };
}
