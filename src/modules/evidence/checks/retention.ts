import { count } from 'drizzle-orm';
import { withTenant } from '../../../platform/db/tenancy.js';
import { mailOutbox } from '../../../platform/mail/mail.schema.js';
import { finishedMailUnredactedBefore, MAIL_RETENTION_DAYS } from '../../../platform/mail/retention.js';
import {
  countSessionsEndedBefore,
  sessionRetentionDays as retentionDays,
} from '../../sessions/sessions.service.js';
import { CONFIRMATION_DAYS, countUnconfirmedBefore } from '../../subscribers/subscribers.service.js';
import { type EvidenceCheck, plural } from './check.js';

const DAY_MS = 86_400_000;
/**
 * The worker removes what is due hourly (mails, sessions) or every minute (subscriptions), so
 * something may outlive its period by up to that long; a row older than this grace is a failure.
 */
export const RETENTION_GRACE_MS = 2 * 3_600_000;

/**
 * Counts, in the tenant's own data, what should already be gone: the same conditions the
 * retention jobs delete or redact by (src/modules/sessions/sessions.jobs.ts, src/platform/mail/retention.ts,
 * the subscribers' purge), each with the job's own period.
 */
export const retention: EvidenceCheck = async ({ db, clock, tenantId }) => {
  const now = clock().getTime();
  const before = (days: number) => new Date(now - days * DAY_MS - RETENTION_GRACE_MS);
  const counts = await withTenant(db, tenantId, async (tx) => {
    const [mails] = await tx
      .select({ n: count() })
      .from(mailOutbox)
      .where(finishedMailUnredactedBefore(before(MAIL_RETENTION_DAYS)));
    return {
      mails: Number(mails?.n ?? 0),
      sessions: await countSessionsEndedBefore(tx, before(retentionDays.endedSessions)),
      subscriptions: await countUnconfirmedBefore(tx, before(CONFIRMATION_DAYS)),
    };
  });
  const facts = {
    unredactedMailsPastRetention: counts.mails,
    endedSessionsPastRetention: counts.sessions,
    unconfirmedSubscriptionsPastRetention: counts.subscriptions,
    mailRetentionDays: MAIL_RETENTION_DAYS,
    endedSessionRetentionDays: retentionDays.endedSessions,
    unconfirmedSubscriptionDays: CONFIRMATION_DAYS,
  };
  const overdue = [
    counts.mails > 0 &&
      `${plural(counts.mails, 'finished mail')} older than ${MAIL_RETENTION_DAYS} days still ${counts.mails === 1 ? 'holds its' : 'hold their'} recipient`,
    counts.sessions > 0 &&
      `${plural(counts.sessions, 'ended session')} older than ${retentionDays.endedSessions} days ${counts.sessions === 1 ? 'is' : 'are'} still stored`,
    counts.subscriptions > 0 &&
      `${plural(counts.subscriptions, 'unconfirmed subscription')} older than ${CONFIRMATION_DAYS} days ${counts.subscriptions === 1 ? 'is' : 'are'} still stored`,
  ].filter(Boolean);
  if (overdue.length > 0) return { status: 'fail', summary: `${overdue.join('; ')}.`, facts };
  return {
    status: 'pass',
    summary: `Nothing has outlived its retention period: no finished mail keeps its recipient past ${MAIL_RETENTION_DAYS} days, no ended session stays past ${retentionDays.endedSessions} days, no unconfirmed subscription past ${CONFIRMATION_DAYS} days (the worker runs hourly).`,
    facts,
  };
};
