import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const noticeTopics = ['subprocessors', 'incidents', 'general'] as const;
export type NoticeTopic = (typeof noticeTopics)[number];
export const noticeStates = ['pending', 'sending', 'sent', 'failed'] as const;
export type NoticeState = (typeof noticeStates)[number];

/** One announcement to every subscriber of its topic; the fan-out job puts one mail each in the outbox. */
export const notices = pgTable('notices', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  topic: text('topic', { enum: noticeTopics }).notNull(),
  updateId: uuid('update_id'),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  state: text('state', { enum: noticeStates }).notNull(),
  cursor: uuid('cursor'),
  recipients: integer('recipients').notNull(),
  attempts: integer('attempts').notNull(),
  lastError: text('last_error'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  completedAt: timestamp('completed_at', { withTimezone: true }),
});
