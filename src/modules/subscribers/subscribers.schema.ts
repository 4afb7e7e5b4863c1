import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Topic } from './topics.js';

export { type Topic, topics } from './topics.js';

/**
 * People who asked for notices by e-mail. Their addresses are personal data and live here only:
 * never in logs, audit details or anywhere else (mails carry them in the outbox until delivered).
 */
export const subscribers = pgTable('subscribers', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  email: text('email').notNull(),
  topics: text('topics').array().$type<Topic[]>().notNull(),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  confirmTokenHash: text('confirm_token_hash'),
  confirmTopics: text('confirm_topics').array().$type<Topic[]>(),
  confirmExpiresAt: timestamp('confirm_expires_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

/** Per tenant: the subprocessor notice period, the sender name and reply-to of its mails. */
export const notificationSettings = pgTable('notification_settings', {
  tenantId: uuid('tenant_id').primaryKey(),
  noticePeriodDays: integer('notice_period_days').notNull(),
  senderName: text('sender_name').notNull(),
  replyTo: text('reply_to'),
  listKeySealed: text('list_key_sealed').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
