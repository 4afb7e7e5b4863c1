import { date, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { documents } from '../documents/documents.schema.js';

/**
 * A certification of the trust center (SOC 2 Type II, ISO 27001, …), bound to the document that
 * proves it: (tenant_id, document_id) references that tenant's document, and deleting the report
 * deletes the certification (migration 0023). Forced row-level security like every tenant table.
 */
export const certifications = pgTable('certifications', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  name: text('name').notNull(),
  auditor: text('auditor').notNull(),
  scope: text('scope').notNull(),
  validFrom: date('valid_from', { mode: 'string' }).notNull(),
  validUntil: date('valid_until', { mode: 'string' }).notNull(),
  documentId: uuid('document_id')
    .notNull()
    .references(() => documents.id),
  /** The SHA-256 of the report's file when it was bound (its newest version then). */
  documentSha256: text('document_sha256').notNull(),
  /** The end date a reminder was mailed for; a renewal (a new end date) is reminded again. */
  reminderSentOn: date('reminder_sent_on', { mode: 'string' }),
  position: integer('position').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
