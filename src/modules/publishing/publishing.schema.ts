import { integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { SnapshotContent } from './snapshot.contract.js';

/** Published snapshots: immutable (the app role may only insert and read; a trigger refuses updates). */
export const snapshots = pgTable('snapshots', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  version: integer('version').notNull(),
  content: jsonb('content').$type<SnapshotContent>().notNull(),
  contentSha256: text('content_sha256').notNull(),
  publishedAt: timestamp('published_at', { withTimezone: true }).notNull(),
  publishedBy: text('published_by').notNull(),
});
