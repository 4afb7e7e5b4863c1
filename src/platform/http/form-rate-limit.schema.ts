import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Fixed-window hit counters of the public forms, per client network and per tenant (platform-wide). */
export const formRateLimits = pgTable('form_rate_limits', {
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  hits: integer('hits').notNull(),
});
