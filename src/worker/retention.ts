import { and, inArray, isNull, lt, or } from 'drizzle-orm';
import { invitations } from '../modules/accounts/accounts.schema.js';
import { accessGrants, visitorSessions } from '../modules/documents/access.schema.js';
import { loginThrottle, sessions } from '../modules/sessions/sessions.schema.js';
import { tenants } from '../modules/tenants/tenants.schema.js';
import type { Database } from '../platform/db/client.js';
import { withPlatform, withTenant } from '../platform/db/tenancy.js';
import { redactFinishedMail } from '../platform/mail/retention.js';

const DAY = 86_400_000;

/**
 * How long data that has served its purpose is kept before the worker removes it. The demo trust
 * center's "Retention Policies" control states these numbers; change both together.
 */
export const retentionDays = {
  /** Sign-in sessions after they ended (signed out, revoked, idle or absolute timeout). */
  endedSessions: 7,
  /** Invitations after they were accepted, revoked or expired. */
  closedInvitations: 7,
  /** Document visitors' sessions after their grant ended (expired or revoked). */
  endedVisitorSessions: 7,
  /** Failed sign-in counters after the last failure, once no block is running. */
  loginThrottle: 1,
} as const;

/** Sign-in sessions that ended (signed out, revoked, idle or absolute timeout) before `cutoff`. */
export function sessionsEndedBefore(cutoff: Date) {
  return or(
    lt(sessions.revokedAt, cutoff),
    lt(sessions.idleExpiresAt, cutoff),
    lt(sessions.absoluteExpiresAt, cutoff),
  );
}

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
  const before = (days: number) => new Date(now.getTime() - days * DAY);
  const report: RetentionReport = {
    sessions: 0,
    invitations: 0,
    visitorSessions: 0,
    loginThrottle: 0,
    mails: 0,
  };

  const tenantIds = await withPlatform(db, (tx) => tx.select({ id: tenants.id }).from(tenants));
  for (const { id } of tenantIds) {
    await withTenant(db, id, async (tx) => {
      const sessionCutoff = before(retentionDays.endedSessions);
      const ended = await tx
        .delete(sessions)
        .where(sessionsEndedBefore(sessionCutoff))
        .returning({ id: sessions.id });
      report.sessions += ended.length;

      const invitationCutoff = before(retentionDays.closedInvitations);
      const closed = await tx
        .delete(invitations)
        .where(
          or(
            lt(invitations.acceptedAt, invitationCutoff),
            lt(invitations.revokedAt, invitationCutoff),
            lt(invitations.expiresAt, invitationCutoff),
          ),
        )
        .returning({ id: invitations.id });
      report.invitations += closed.length;

      const grantCutoff = before(retentionDays.endedVisitorSessions);
      const endedGrants = tx
        .select({ id: accessGrants.id })
        .from(accessGrants)
        .where(or(lt(accessGrants.expiresAt, grantCutoff), lt(accessGrants.revokedAt, grantCutoff)));
      const visitors = await tx
        .delete(visitorSessions)
        .where(inArray(visitorSessions.grantId, endedGrants))
        .returning({ id: visitorSessions.id });
      report.visitorSessions += visitors.length;
    });
  }

  const throttle = await withPlatform(db, (tx) =>
    tx
      .delete(loginThrottle)
      .where(
        and(
          lt(loginThrottle.lastFailureAt, before(retentionDays.loginThrottle)),
          or(isNull(loginThrottle.blockedUntil), lt(loginThrottle.blockedUntil, now)),
        ),
      )
      .returning({ key: loginThrottle.key }),
  );
  report.loginThrottle = throttle.length;
  report.mails = await redactFinishedMail(db, now);
  return report;
}
