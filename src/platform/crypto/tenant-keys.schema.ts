import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Each tenant's data key for blobs, sealed (AES-256-GCM) with the master key. */
export const tenantKeys = pgTable('tenant_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  sealedKey: text('sealed_key').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});
