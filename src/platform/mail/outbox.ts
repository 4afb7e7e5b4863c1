import { count, desc } from 'drizzle-orm';
import type { ServiceContext } from '../auth/context.js';
import type { Database, Tx } from '../db/client.js';
import { withTenant } from '../db/tenancy.js';
import type { PageQuery } from '../http/api-route.js';
import { type MailMessage, mailMessage, type OutboxEntry } from './mail.contract.js';
import { mailOutbox } from './mail.schema.js';

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

/** The console's view of a tenant's outbox, newest first. */
export function createOutboxService({ db }: { db: Database }) {
  return {
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
          items: rows.map((row) => ({
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
          })),
          total,
          nextOffset: next < total ? next : null,
        };
      });
    },
  };
}

export type OutboxService = ReturnType<typeof createOutboxService>;
