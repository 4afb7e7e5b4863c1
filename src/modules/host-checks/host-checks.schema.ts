import { boolean, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { hostCheckKinds, hostCheckStatuses } from './host-checks.contract.js';

/** Checks a tenant defines of its own hosts, with the latest result (migrations 0022, 0026). */
export const hostChecks = pgTable('host_checks', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  kind: text('kind', { enum: hostCheckKinds }).notNull(),
  name: text('name').notNull(),
  target: text('target').notNull(),
  options: jsonb('options').$type<Record<string, number | boolean>>().notNull(),
  everyMinutes: integer('every_minutes').notNull(),
  controls: jsonb('controls').$type<string[]>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  nextRunAt: timestamp('next_run_at', { withTimezone: true }).notNull(),
  lastStatus: text('last_status', { enum: hostCheckStatuses }),
  lastSummary: text('last_summary'),
  lastFacts: jsonb('last_facts').$type<Record<string, number | string | boolean>>(),
  lastCheckedAt: timestamp('last_checked_at', { withTimezone: true }),
  lastDurationMs: integer('last_duration_ms'),
  /** Since when it has been failing ('fail' or 'error'); null while it passes or has not run (0026). */
  failingSince: timestamp('failing_since', { withTimezone: true }),
});

/** One uptime probe; kept 90 days. */
export const hostCheckSamples = pgTable(
  'host_check_samples',
  {
    tenantId: uuid('tenant_id').notNull(),
    checkId: uuid('check_id').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    up: boolean('up').notNull(),
    latencyMs: integer('latency_ms'),
  },
  (table) => [primaryKey({ columns: [table.checkId, table.at] })],
);
