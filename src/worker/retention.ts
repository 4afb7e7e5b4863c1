import { CLOSED_INVITATION_DAYS, deleteClosedInvitations } from '../modules/accounts/accounts.jobs.js';
import { deleteEndedVisitorSessions, ENDED_VISITOR_SESSION_DAYS } from '../modules/documents/access.jobs.js';
import {
  deleteEndedSessions,
  pruneLoginThrottle,
  sessionRetentionDays,
} from '../modules/sessions/sessions.jobs.js';
import { allTenantIds } from '../modules/tenants/tenants.jobs.js';
import type { Database } from '../platform/db/client.js';
import { withPlatform, withTenant } from '../platform/db/tenancy.js';
import { redactFinishedMail } from '../platform/mail/retention.js';

/**
 * How long data that has served its purpose is kept before the worker removes it. Each rule lives
 * in the module that owns the data (its *.jobs.ts); this is the list the worker runs. The demo
 * trust center's "Retention Policies" control states these numbers.
 */
export const retentionDays = {
  endedSessions: sessionRetentionDays.endedSessions,
  closedInvitations: CLOSED_INVITATION_DAYS,
  endedVisitorSessions: ENDED_VISITOR_SESSION_DAYS,
  loginThrottle: sessionRetentionDays.loginThrottle,
} as const;

export interface RetentionReport {
  sessions: number;
  invitations: number;
  visitorSessions: number;
  loginThrottle: number;
  /** Finished mails whose recipient and bodies were blanked (src/platform/mail/retention.ts). */
  mails: number;
}

/**
 * Deletes what has outlived its retention period. Tenant data is deleted tenant by tenant under
 * its own row-level security; the login throttle and the outbox are platform tables. Idempotent,
 * so several workers may run it.
 */
export async function applyRetention(db: Database, now: Date): Promise<RetentionReport> {
  const report: RetentionReport = {
    sessions: 0,
    invitations: 0,
    visitorSessions: 0,
    loginThrottle: 0,
    mails: 0,
  };

  const tenantIds = await withPlatform(db, allTenantIds);
  for (const { id } of tenantIds) {
    await withTenant(db, id, async (tx) => {
      report.sessions += await deleteEndedSessions(tx, now);
      report.invitations += await deleteClosedInvitations(tx, now);
      report.visitorSessions += await deleteEndedVisitorSessions(tx, now);
    });
  }

  report.loginThrottle = await pruneLoginThrottle(db, now);
  report.mails = await redactFinishedMail(db, now);
  return report;
}
