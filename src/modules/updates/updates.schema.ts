import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { updateKinds } from './update-kinds.js';

export { type UpdateKind, updateKinds } from './update-kinds.js';

/** Incidents: when one was detected and when customers were told (the 24-hour promise). */
export const incidents = pgTable('incidents', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  title: text('title').notNull(),
  detectedAt: timestamp('detected_at', { withTimezone: true }).notNull(),
  customersNotifiedAt: timestamp('customers_notified_at', { withTimezone: true }),
  resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Posts of the updates feed. A post with published_at is public (through the next snapshot). */
export const updatePosts = pgTable('update_posts', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  kind: text('kind', { enum: updateKinds }).notNull(),
  title: text('title').notNull(),
  body: text('body').notNull(),
  incidentId: uuid('incident_id'),
  publishedAt: timestamp('published_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
