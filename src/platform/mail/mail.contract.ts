import { z } from 'zod';
import { line, prose } from '../validation/strings.js';

/** Kept here, not with the table, so the console bundles it without the database layer. */
export const mailStatuses = ['pending', 'sending', 'sent', 'failed', 'stored'] as const;

/** A mailbox as Attest sends to it: one plain address, lower-cased, no display name. */
export const mailAddress = z.string().trim().toLowerCase().max(254).pipe(z.email());

/** Header names a caller may add (List-Unsubscribe and friends); nothing that shapes routing. */
const headerName = z
  .string()
  .regex(/^(List-[A-Za-z-]{1,40}|X-Attest-[A-Za-z-]{1,40}|Auto-Submitted|Precedence)$/, 'header not allowed');
const headerValue = z
  .string()
  .max(2000)
  .regex(/^[^\r\n\0]*$/, 'header values are one line');

/** What a caller hands to enqueueMail. Sender name and reply-to are per tenant; the address is the platform's. */
export const mailMessage = z.object({
  to: mailAddress,
  subject: line(300),
  text: prose(100_000, 1),
  html: z.string().max(300_000).optional(),
  headers: z.record(headerName, headerValue).default({}),
  fromName: line(200).optional(),
  replyTo: mailAddress.optional(),
  /** Enqueueing the same key twice for a tenant stores one mail (exactly-once fan-out). */
  dedupeKey: line(200).optional(),
});
export type MailMessage = z.input<typeof mailMessage>;

export const outboxEntry = z
  .object({
    id: z.uuid(),
    to: z.string(),
    subject: z.string(),
    status: z.enum(mailStatuses),
    attempts: z.number().int(),
    lastError: z
      .string()
      .nullable()
      .describe('A technical code such as smtp:ECONNECTION, never the message.'),
    createdAt: z.iso.datetime(),
    sentAt: z.iso.datetime().nullable(),
    nextAttemptAt: z.iso.datetime().nullable(),
    messageId: z
      .string()
      .nullable()
      .describe('The Message-ID every attempt of this mail carries (null: not sent yet).'),
    smtpReply: z
      .string()
      .nullable()
      .describe("The SMTP server's reply to the accepted mail, with its queue id; addresses cut out."),
    text: z
      .string()
      .nullable()
      .describe('The text body: only for settings:manage (it may hold single-use links), else null.'),
  })
  .meta({ id: 'OutboxEntry' });
export type OutboxEntry = z.infer<typeof outboxEntry>;
