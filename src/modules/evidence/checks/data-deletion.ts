import { DELETION_GRACE_MS, deletionBacklog } from '../../tenants/tenants.service.js';
import { type EvidenceCheck, plural } from './check.js';

/**
 * Data deletion at contract end, as it stands: no closed trust center of this installation may
 * still be here more than the grace after its deletion date. The worker deletes them every minute;
 * one the database refuses to delete keeps failing here until an operator fixes the cause
 * (`attest tenant list` and the worker log name it). Counts only: which tenant is not public.
 */
export const dataDeletion: EvidenceCheck = async ({ db, clock }) => {
  const backlog = await deletionBacklog(db, clock());
  const graceMinutes = Math.round(DELETION_GRACE_MS / 60_000);
  const facts = {
    closingTrustCenters: backlog.closing,
    overdueDeletions: backlog.overdue,
    refusedDeletions: backlog.refused,
    graceMinutes,
  };
  if (backlog.overdue > 0) {
    const refused = backlog.refused > 0 ? ` (the deletion of ${backlog.refused} failed)` : '';
    return {
      status: 'fail',
      summary: `${plural(backlog.overdue, 'closed trust center')} ${backlog.overdue === 1 ? 'is' : 'are'} past the deletion date by more than ${graceMinutes} minutes and still ${backlog.overdue === 1 ? 'holds its' : 'hold their'} data${refused}.`,
      facts,
    };
  }
  return {
    status: 'pass',
    summary: `Every closed trust center whose period ended has been deleted with its data and files; ${plural(backlog.closing, 'trust center')} ${backlog.closing === 1 ? 'is' : 'are'} closing.`,
    facts,
  };
};
