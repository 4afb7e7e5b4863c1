import { date, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { SubprocessorInput } from '../content/content.contract.js';
import { changeKinds, changeStates } from './change-kinds.js';

export { type ChangeKind, type ChangeState, changeKinds, changeStates } from './change-kinds.js';

/** An announced change of the subprocessor list, applied by the scheduler on its effective date. */
export const subprocessorChanges = pgTable('subprocessor_changes', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  kind: text('kind', { enum: changeKinds }).notNull(),
  subprocessorKey: text('subprocessor_key'),
  subprocessor: jsonb('subprocessor').$type<SubprocessorInput>(),
  summary: text('summary').notNull(),
  effectiveOn: date('effective_on', { mode: 'string' }).notNull(),
  announcedAt: timestamp('announced_at', { withTimezone: true }).notNull(),
  state: text('state', { enum: changeStates }).notNull(),
  appliedAt: timestamp('applied_at', { withTimezone: true }),
  updateId: uuid('update_id'),
});
