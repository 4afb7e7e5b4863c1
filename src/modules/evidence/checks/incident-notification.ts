import { withTenant } from '../../../platform/db/tenancy.js';
import { incidentsDetectedOrRecordedSince, timeToNotify } from '../../updates/incidents.service.js';
import { NOTIFY_TARGET_HOURS } from '../../updates/updates.contract.js';
import { type EvidenceCheck, plural } from './check.js';

const YEAR_MS = 365 * 86_400_000;

/** Each incident detected or recorded in the last 365 days, measured by the same rule the console shows (time-to-notify.ts). */
export const incidentNotification: EvidenceCheck = async ({ db, clock, tenantId }) => {
  const now = clock();
  const yearAgo = new Date(now.getTime() - YEAR_MS);
  // Also by when it was recorded: moving the detection time back more than a year must not take
  // a missed incident out of the count.
  const rows = await withTenant(db, tenantId, (tx) => incidentsDetectedOrRecordedSince(tx, yearAgo));
  // An incident still inside its 24 hours and not yet notified is not counted, nor mentioned:
  // this result is public, and customers hear of an incident from its notice, not from here.
  const states = rows
    .map((row) => timeToNotify(row.detectedAt, row.notifiedAt, now).state)
    .filter((state) => state !== 'on_track' && state !== 'warning');
  const met = states.filter((state) => state === 'met').length;
  const late = states.length - met;
  const facts = {
    incidents: states.length,
    notifiedInTime: met,
    late,
    targetHours: NOTIFY_TARGET_HOURS,
  };
  if (states.length === 0) {
    return { status: 'pass', summary: 'No incidents were detected in the last twelve months.', facts };
  }
  if (late > 0) {
    return {
      status: 'fail',
      summary: `${late} of ${plural(states.length, 'incident')} of the last twelve months ${late === 1 ? 'was' : 'were'} not notified to customers within ${NOTIFY_TARGET_HOURS} hours of detection.`,
      facts,
    };
  }
  return {
    status: 'pass',
    summary: `${met} of ${plural(states.length, 'incident')} of the last twelve months ${met === 1 ? 'was' : 'were'} notified to customers within ${NOTIFY_TARGET_HOURS} hours of detection.`,
    facts,
  };
};
