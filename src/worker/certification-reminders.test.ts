import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/app.js';
import { manualClock } from '../../test/support/clock.js';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { sampleDocument } from '../../test/support/fixtures.js';
import { systemContext } from '../platform/auth/context.js';
import { createFormRateLimiter } from '../platform/http/form-rate-limit.js';
import { createLogger } from '../platform/logging/logger.js';
import { mailOutbox } from '../platform/mail/mail.schema.js';
import { createScheduler } from './scheduler.js';

describe.each(testDatabaseKinds)('certification reminders with two workers on $name', (kind) => {
  const time = manualClock(new Date('2026-12-03T09:00:00Z'));
  const holder = useTestApp(kind, { clock: time.clock });

  const worker = () =>
    createScheduler({
      db: holder.app.db,
      services: holder.app.services,
      limiter: createFormRateLimiter({ db: holder.app.db, clock: time.clock }),
      dispatch: () => {},
      clock: time.clock,
      logger: createLogger('silent'),
    });

  it('mails the reminder once from the hourly job, however many workers tick', async () => {
    const { services, db } = holder.app;
    const tenantId = (await services.tenants.create({ slug: 'cert-jobs', name: 'Cert Jobs' })).id;
    const ctx = systemContext(tenantId, 'cert-jobs-test');
    await services.transfer.importDraft(ctx, sampleDocument('Cert'), { publish: true });
    await services.members.add(ctx, {
      email: 'owner@cert-jobs.example',
      role: 'owner',
      password: 'a long unique passphrase 8271',
    });
    const report = await services.documents.create(
      ctx,
      { title: 'ISO 27001 certificate', category: 'certification_report', accessLevel: 'public' },
      { filename: 'certificate.txt', data: Buffer.from('ISO/IEC 27001:2022 certificate') },
    );
    await services.certifications.create(ctx, {
      name: 'ISO/IEC 27001:2022',
      auditor: 'Example Certification Body',
      validFrom: '2024-01-01',
      validUntil: '2026-12-20',
      documentId: report.id,
    });
    const reminders = async () =>
      (await db.orm.select().from(mailOutbox)).filter((mail) => mail.subject.includes('expires on'));

    const [a, b] = [worker(), worker()];
    const first = await Promise.all([a.tick(), b.tick()]);
    expect(first.map((tick) => tick.certificationReminders).sort()).toEqual([1, null]);
    expect((await reminders()).map((mail) => [mail.toAddress, mail.subject])).toEqual([
      ['owner@cert-jobs.example', 'ISO/IEC 27001:2022 expires on 2026-12-20'],
    ]);

    // The next hour's job looks again and finds it sent.
    time.advance(60 * 60_000);
    const second = await Promise.all([b.tick(), a.tick()]);
    expect(second.map((tick) => tick.certificationReminders).sort()).toEqual([0, null]);
    expect(await reminders()).toHaveLength(1);
  });
});
