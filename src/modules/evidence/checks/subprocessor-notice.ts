import { withTenant } from '../../../platform/db/tenancy.js';
import {
  addDays,
  scheduledOrAppliedChanges,
} from '../../subprocessor-changes/subprocessor-changes.service.js';
import { readNotificationSettings } from '../../subscribers/notification-settings.service.js';
import { type EvidenceCheck, plural } from './check.js';

/**
 * Every change that is scheduled or took effect (withdrawn ones never did) against the tenant's
 * notice period, the way announcing one checks it: the effective date is at least the notice
 * period after the UTC date it was announced on.
 */
export const subprocessorNotice: EvidenceCheck = async ({ db, tenantId }) => {
  const { changes, noticePeriodDays } = await withTenant(db, tenantId, async (tx) => ({
    changes: await scheduledOrAppliedChanges(tx),
    noticePeriodDays: (await readNotificationSettings(tx)).noticePeriodDays,
  }));
  const withNotice = changes.filter(
    (change) =>
      change.effectiveOn >= addDays(change.announcedAt.toISOString().slice(0, 10), noticePeriodDays),
  ).length;
  const facts = { changes: changes.length, withFullNotice: withNotice, noticePeriodDays };
  if (changes.length === 0) {
    return {
      status: 'pass',
      summary: `No subprocessor changes announced yet; each must be announced at least ${plural(noticePeriodDays, 'day')} ahead.`,
      facts,
    };
  }
  const short = changes.length - withNotice;
  if (short > 0) {
    return {
      status: 'fail',
      summary: `${short} of ${plural(changes.length, 'subprocessor change')} took or take effect less than ${plural(noticePeriodDays, 'day')} after being announced.`,
      facts,
    };
  }
  return {
    status: 'pass',
    summary: `All ${plural(changes.length, 'announced subprocessor change')} took or take effect at least ${plural(noticePeriodDays, 'day')} after being announced.`,
    facts,
  };
};
