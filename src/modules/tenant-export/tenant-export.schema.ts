import { bigint, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const exportStates = ['queued', 'running', 'done', 'failed', 'downloaded', 'expired'] as const;
export type ExportState = (typeof exportStates)[number];

/** An export job of one tenant (migration 0018): progress, the sealed archive chunks, the download link. */
export const tenantExports = pgTable('tenant_exports', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  requestedBy: text('requested_by').notNull(),
  state: text('state', { enum: exportStates }).notNull(),
  /** The run that holds the job; a run whose id is no longer here stops (a stale one was taken over). */
  runId: uuid('run_id'),
  attempts: integer('attempts').notNull().default(0),
  heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
  filesDone: integer('files_done').notNull().default(0),
  filesTotal: integer('files_total').notNull().default(0),
  bytesDone: bigint('bytes_done', { mode: 'number' }).notNull().default(0),
  chunkBlobIds: uuid('chunk_blob_ids').array().notNull().default([]),
  sizeBytes: bigint('size_bytes', { mode: 'number' }),
  sha256: text('sha256'),
  error: text('error'),
  linkTokenHash: text('link_token_hash'),
  linkExpiresAt: timestamp('link_expires_at', { withTimezone: true }),
  linkUsedAt: timestamp('link_used_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  archiveRemovedAt: timestamp('archive_removed_at', { withTimezone: true }),
});
