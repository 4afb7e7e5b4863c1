import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Tenants are platform data: read by host/slug lookups through the platform role only. */
export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  status: text('status', { enum: ['active', 'suspended', 'closing'] })
    .notNull()
    .default('active'),
  /** Set while closing: when the worker deletes the tenant and everything it holds. */
  deletionDueAt: timestamp('deletion_due_at', { withTimezone: true }),
  /** The last failed attempt to delete it, and why (error code, constraint, table; no values). */
  deletionFailedAt: timestamp('deletion_failed_at', { withTimezone: true }),
  deletionError: text('deletion_error'),
  customDomain: text('custom_domain').unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export type TenantRow = typeof tenants.$inferSelect;
