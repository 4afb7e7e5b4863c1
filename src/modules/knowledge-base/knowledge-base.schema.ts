import { date, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from '../tenants/tenants.schema.js';
import type { EntryReference, ShortAnswer, Visibility } from './knowledge-base.contract.js';

/** A tenant's question-and-answer entries (migration 0025, forced row-level security). */
export const knowledgeBaseEntries = pgTable('knowledge_base_entries', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  key: text('key').notNull(),
  question: text('question').notNull(),
  answer: text('answer').notNull(),
  shortAnswer: text('short_answer').$type<ShortAnswer>(),
  owner: text('owner').notNull(),
  lastReviewedOn: date('last_reviewed_on', { mode: 'string' }),
  reviewIntervalDays: integer('review_interval_days').notNull(),
  refs: jsonb('refs').$type<EntryReference[]>().notNull(),
  visibility: text('visibility').$type<Visibility>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
