import { integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { evidenceStatuses } from './evidence.contract.js';

/** The latest result of each live evidence check per tenant (one row per tenant and check). */
export const evidenceResults = pgTable(
  'evidence_results',
  {
    tenantId: uuid('tenant_id').notNull(),
    checkKey: text('check_key').notNull(),
    status: text('status', { enum: evidenceStatuses }).notNull(),
    summary: text('summary').notNull(),
    facts: jsonb('facts').$type<Record<string, number | string | boolean>>().notNull(),
    checkedAt: timestamp('checked_at', { withTimezone: true }).notNull(),
    durationMs: integer('duration_ms').notNull(),
    /** Since when the check has been failing: its first failing result after a pass; null otherwise. */
    failingSince: timestamp('failing_since', { withTimezone: true }),
  },
  (table) => [primaryKey({ columns: [table.tenantId, table.checkKey] })],
);
