import { and, inArray, isNull, lt } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { withPlatform } from '../db/tenancy.js';
import { mailOutbox } from './mail.schema.js';

/** What a redacted mail keeps: nothing of its recipient or its text; when it was redacted. */
export function redactedMail(now: Date) {
  return {
    toAddress: '(redacted)',
    replyTo: null,
    textBody: '',
    htmlBody: null,
    headers: {},
    redactedAt: now,
  };
}

/** Finished mails keep their recipient and bodies this long, for support questions; then blanked. */
export const MAIL_RETENTION_DAYS = 30;
const BATCH = 5_000;

/** Finished mails (sent, failed for good, or stored without SMTP) created before `cutoff`, not yet redacted. */
export function finishedMailUnredactedBefore(cutoff: Date) {
  return and(
    isNull(mailOutbox.redactedAt),
    inArray(mailOutbox.status, ['sent', 'failed', 'stored']),
    lt(mailOutbox.createdAt, cutoff),
  );
}

/**
 * Blanks the recipient, reply-to, bodies and headers of every finished mail (sent, failed for good,
 * or stored without SMTP) created more than `days` before `now`, across tenants, in batches.
 * Subscribers' addresses and the single-use links in the bodies do not outlive the retention
 * period. Returns how many mails were redacted. Safe to run from several workers at once.
 */
export async function redactFinishedMail(
  db: Database,
  now: Date,
  days = MAIL_RETENTION_DAYS,
): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  let total = 0;
  for (;;) {
    const redacted = await withPlatform(db, async (tx) => {
      const due = tx
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .where(finishedMailUnredactedBefore(cutoff))
        .limit(BATCH);
      const rows = await tx
        .update(mailOutbox)
        .set(redactedMail(now))
        .where(inArray(mailOutbox.id, due))
        .returning({ id: mailOutbox.id });
      return rows.length;
    });
    total += redacted;
    if (redacted < BATCH) return total;
  }
}
