import { integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { mailStatuses } from './mail.contract.js';

export type MailStatus = (typeof mailStatuses)[number];

/** The transactional outbox: written by tenant transactions, delivered by the mailer (attest_platform). */
export const mailOutbox = pgTable('mail_outbox', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  toAddress: text('to_address').notNull(),
  fromName: text('from_name'),
  replyTo: text('reply_to'),
  subject: text('subject').notNull(),
  textBody: text('text_body').notNull(),
  htmlBody: text('html_body'),
  headers: jsonb('headers').$type<Record<string, string>>().notNull(),
  status: text('status', { enum: mailStatuses }).notNull(),
  attempts: integer('attempts').notNull(),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
  lastError: text('last_error'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  dedupeKey: text('dedupe_key'),
  /** When the recipient and bodies were blanked after the retention period (see outbox.ts). */
  redactedAt: timestamp('redacted_at', { withTimezone: true }),
  /** The Message-ID every attempt sends (fixed at the first), so receivers can drop a re-sent copy. */
  messageId: text('message_id'),
  /** When the last SMTP transaction began: a mail still 'sending' past its lease was interrupted there. */
  sendStartedAt: timestamp('send_started_at', { withTimezone: true }),
  /** The server's final reply to the accepted mail (its queue id), addresses cut out. */
  smtpReply: text('smtp_reply'),
  /** The fencing token of the batch that holds the mail while 'sending' (decision 0019). */
  leaseId: uuid('lease_id'),
});
