import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** The API's per-minute counters per credential and per tenant, shared by every web process. */
export const apiRateLimits = pgTable('api_rate_limits', {
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  hits: integer('hits').notNull(),
});
