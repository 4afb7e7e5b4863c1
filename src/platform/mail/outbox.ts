import { and, count, desc, eq, isNull, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { ServiceContext } from '../auth/context.js';
import { type Clock, systemClock } from '../clock.js';
import type { Database, Tx } from '../db/client.js';
import { withTenant } from '../db/tenancy.js';
import { type AuditWriter, tenantTransaction } from '../db/tenant-transaction.js';
import { AppError } from '../errors.js';
import type { PageQuery } from '../http/api-route.js';
import { type MailMessage, mailMessage, type OutboxEntry } from './mail.contract.js';
import { mailOutbox } from './mail.schema.js';

import './mail.errors.js';

/**
 * Puts a mail in the outbox inside the caller's tenant transaction: it is delivered only if that
 * transaction commits (a rolled-back change never sends its mail), and never from inside it.
 * Returns the mail's id, or null when a mail with the same dedupe key already exists for the tenant.
 */
export async function enqueueMail(
  tx: Tx,
  tenantId: string,
  message: MailMessage,
  now: Date = new Date(),
): Promise<string | null> {
  const rows = await tx
    .insert(mailOutbox)
    .values(outboxRow(tenantId, message, now))
    .onConflictDoNothing()
    .returning({ id: mailOutbox.id });
  return rows[0]?.id ?? null;
}

/**
 * enqueueMail for many mails in one statement (a notice's fan-out batch): same rules, one round
 * trip. Returns how many were new; mails whose dedupe key exists already are skipped.
 */
export async function enqueueMails(
  tx: Tx,
  tenantId: string,
  messages: readonly MailMessage[],
  now: Date = new Date(),
): Promise<number> {
  if (messages.length === 0) return 0;
  const rows = await tx
    .insert(mailOutbox)
    .values(messages.map((message) => outboxRow(tenantId, message, now)))
    .onConflictDoNothing()
    .returning({ id: mailOutbox.id });
  return rows.length;
}

function outboxRow(tenantId: string, message: MailMessage, now: Date) {
  const parsed = mailMessage.parse(message);
  return {
    tenantId,
    toAddress: parsed.to,
    fromName: parsed.fromName ?? null,
    replyTo: parsed.replyTo ?? null,
    subject: parsed.subject,
    textBody: parsed.text,
    htmlBody: parsed.html ?? null,
    headers: parsed.headers,
    status: 'pending' as const,
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    dedupeKey: parsed.dedupeKey ?? null,
  };
}

/**
 * Puts the tenant's failed mails that match `which` back in line, inside the caller's tenant
 * transaction (row-level security keeps it to the tenant): due now, with a fresh set of attempts
 * and the same Message-ID. Mails already blanked by retention stay as they are. Returns their ids.
 */
export async function resendFailedMails(tx: Tx, which: SQL | undefined, now: Date): Promise<string[]> {
  const rows = await tx
    .update(mailOutbox)
    .set({ status: 'pending', attempts: 0, lastError: null, nextAttemptAt: now, leaseId: null })
    .where(and(eq(mailOutbox.status, 'failed'), isNull(mailOutbox.redactedAt), which))
    .returning({ id: mailOutbox.id });
  return rows.map((row) => row.id);
}

function entryOf(row: typeof mailOutbox.$inferSelect, withBody: boolean): OutboxEntry {
  return {
    id: row.id,
    to: row.toAddress,
    subject: row.subject,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    nextAttemptAt:
      row.status === 'pending' || row.status === 'sending' ? row.nextAttemptAt.toISOString() : null,
    messageId: row.messageId,
    smtpReply: row.smtpReply,
    text: withBody ? row.textBody : null,
  };
}

/** The console's view of a tenant's outbox, newest first, and the re-send of a failed mail. */
export function createOutboxService({
  db,
  clock = systemClock,
  audit,
  mailQueued = () => {},
}: {
  db: Database;
  clock?: Clock;
  /** Records the re-sends (the audit module's writer; platform code imports no module). */
  audit?: AuditWriter<'mail.resent'>;
  /** Told after a commit that put mail back in line. */
  mailQueued?: () => void;
}) {
  const run = tenantTransaction({ db, clock, ...(audit ? { audit } : {}) });
  return {
    /**
     * Sends a failed mail again once the cause is fixed (a mailbox that did not exist, a server
     * that refused the sender): same Message-ID, a fresh set of attempts. Another tenant's mail is
     * not found; a mail that did not fail, or whose text retention has blanked, is a conflict.
     */
    async resend(ctx: ServiceContext, id: string): Promise<OutboxEntry> {
      ctx.require('settings:manage');
      const mailId = z.uuid().parse(id);
      const entry = await run(ctx, async (tx, recorder) => {
        const [current] = await tx.select().from(mailOutbox).where(eq(mailOutbox.id, mailId)).for('update');
        if (!current) throw new AppError('mail.not_found');
        const [resent] = await resendFailedMails(tx, eq(mailOutbox.id, mailId), clock());
        if (!resent) throw new AppError('mail.not_failed');
        await recorder.record('mail.resent', { type: 'mail', id: mailId }, { lastError: current.lastError });
        const [row] = await tx.select().from(mailOutbox).where(eq(mailOutbox.id, mailId));
        if (!row) throw new AppError('mail.not_found');
        return entryOf(row, true);
      });
      mailQueued();
      return entry;
    },

    async list(
      ctx: ServiceContext,
      query: PageQuery,
    ): Promise<{ items: OutboxEntry[]; total: number; nextOffset: number | null }> {
      ctx.require('settings:read');
      // A mail may carry a single-use link (an access grant): its body is for those who manage the tenant.
      const withBody = ctx.can('settings:manage');
      return withTenant(db, ctx.tenantId, async (tx) => {
        const [counted] = await tx.select({ total: count() }).from(mailOutbox);
        const rows = await tx
          .select()
          .from(mailOutbox)
          .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
          .limit(query.limit)
          .offset(query.offset);
        const total = Number(counted?.total ?? 0);
        const next = query.offset + rows.length;
        return {
          items: rows.map((row) => entryOf(row, withBody)),
          total,
          nextOffset: next < total ? next : null,
        };
      });
    },
  };
}

export type OutboxService = ReturnType<typeof createOutboxService>;
