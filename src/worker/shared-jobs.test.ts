import { and, count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/app.js';
import { manualClock } from '../../test/support/clock.js';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { publishEvidence } from '../../test/support/evidence.js';
import { sampleDocument } from '../../test/support/fixtures.js';
import { auditEvents } from '../modules/audit/audit.schema.js';
import { systemContext } from '../platform/auth/context.js';
import { createFormRateLimiter } from '../platform/http/form-rate-limit.js';
import { createLogger } from '../platform/logging/logger.js';
import { createScheduler, EVIDENCE_EVERY_MS, type TickReport } from './scheduler.js';

describe.each(testDatabaseKinds)('two workers ticking together on $name', (kind) => {
  const time = manualClock(new Date('2026-11-26T09:00:00Z'));
  const holder = useTestApp(kind, { clock: time.clock });

  /** A worker's scheduler: its own rate limiter and memory, the database shared. */
  const worker = () =>
    createScheduler({
      db: holder.app.db,
      services: holder.app.services,
      limiter: createFormRateLimiter({ db: holder.app.db, clock: time.clock }),
      dispatch: () => {},
      clock: time.clock,
      logger: createLogger('silent'),
    });
  const ranIn = (reports: TickReport[], job: 'retention' | 'evidence') =>
    reports.filter((report) => report[job] !== null).length;

  it('run each shared job once: a due subprocessor change, retention, evidence', async () => {
    const { services, db } = holder.app;
    const tenantId = (await services.tenants.create({ slug: 'shared-jobs', name: 'Shared Jobs' })).id;
    const ctx = systemContext(tenantId, 'shared-jobs-test');
    await services.transfer.importDraft(ctx, sampleDocument('Shared'), { publish: true });
    await publishEvidence(holder.app, ctx, ['retention']);
    const { earliestEffectiveOn } = await services.subprocessorChanges.noticePeriod(ctx);
    const change = await services.subprocessorChanges.announce(ctx, {
      kind: 'remove',
      subprocessorKey: 'hoster',
      effectiveOn: earliestEffectiveOn,
    });
    const [a, b] = [worker(), worker()];
    // The morning of the effective date.
    time.advance(Date.parse(`${earliestEffectiveOn}T09:00:00Z`) - time.clock().getTime());

    const first = await Promise.all([a.tick(), b.tick()]);
    expect(first.map((report) => report.applied).sort()).toEqual([0, 1]);
    expect(ranIn(first, 'retention')).toBe(1);
    expect(ranIn(first, 'evidence')).toBe(1);
    const evidenceRan = first.reduce((sum, report) => sum + (report.evidence ?? 0), 0);
    expect(evidenceRan).toBe(1);
    const [applied] = await db.orm
      .select({ events: count() })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'subprocessor_change.applied'), eq(auditEvents.targetId, change.id)));
    expect(applied?.events).toBe(1);

    // A minute later: nothing is due again, on either worker.
    time.advance(60_000);
    const second = await Promise.all([b.tick(), a.tick()]);
    expect(second.map((report) => report.applied)).toEqual([0, 0]);
    expect(ranIn(second, 'retention') + ranIn(second, 'evidence')).toBe(0);

    // A quarter-hour on: evidence once more, by one of them; retention not yet (hourly).
    time.advance(EVIDENCE_EVERY_MS);
    const third = await Promise.all([a.tick(), b.tick()]);
    expect(ranIn(third, 'evidence')).toBe(1);
    expect(third.reduce((sum, report) => sum + (report.evidence ?? 0), 0)).toBe(evidenceRan);
    expect(ranIn(third, 'retention')).toBe(0);

    // An hour on: retention once, whichever worker ticks first; a third worker started now waits too.
    time.advance(60 * 60_000);
    const fourth = await Promise.all([a.tick(), b.tick(), worker().tick()]);
    expect(ranIn(fourth, 'retention')).toBe(1);
    expect(ranIn(fourth, 'evidence')).toBe(1);
  });
});
