import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { documentsApp, publishedTenant } from '../../../test/support/documents-app.js';
import { publishEvidence } from '../../../test/support/evidence.js';
import { type MailSink, startMailSink } from '../../../test/support/mail-sink.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { mailOutbox } from '../../platform/mail/mail.schema.js';
import { type CheckOutcome, checks as realChecks } from './checks/index.js';
import { evidenceResults } from './evidence.schema.js';
import { createEvidenceService } from './evidence.service.js';

describe.each(testDatabaseKinds)('a check starting and ending a failing episode on $name', (kind) => {
  let setup: Awaited<ReturnType<typeof documentsApp>>;
  let tenant: Awaited<ReturnType<typeof publishedTenant>>;
  let sink: MailSink;
  const time = manualClock(new Date(Date.now() - 3_600_000));
  /** What the stand-in for the session-limits check finds next. */
  let verdict: CheckOutcome = { status: 'pass', summary: 'Sessions end after 30 minutes idle.', facts: {} };
  let arrived = 0;
  let release: () => void = () => {};
  let barrier: Promise<void> | null = null;

  /**
   * One worker's evidence service, as a worker process builds it, with a session-limits check that
   * answers `verdict`; with a barrier set, each run waits until both workers' checks have finished
   * looking, so their results are recorded at the same moment.
   */
  const worker = () =>
    createEvidenceService({
      db: setup.app.db,
      clock: time.clock,
      vault: setup.app.services.vault,
      sealer: setup.sealer,
      transfer: setup.app.services.transfer,
      publishing: setup.app.services.publishing,
      staffRecipients: async () => ['admin@acme.example', 'owner@acme.example'],
      publicUrl: 'https://attest.example',
      mailQueued: () => void setup.app.mailer.kick(),
      checks: {
        ...realChecks,
        'session-limits': async () => {
          if (barrier) {
            arrived += 1;
            if (arrived === 2) release();
            await barrier;
          }
          return verdict;
        },
      },
    });
  const raceTwoWorkers = async () => {
    arrived = 0;
    barrier = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await Promise.all([
        worker().runForTenant(tenant.tenant.id, ['session-limits']),
        worker().runForTenant(tenant.tenant.id, ['session-limits']),
      ]);
    } finally {
      barrier = null;
    }
  };
  const stored = async () => {
    const [row] = await withTenant(setup.app.db, tenant.tenant.id, (tx) =>
      tx.select().from(evidenceResults).where(eq(evidenceResults.checkKey, 'session-limits')),
    );
    return row;
  };
  const queued = () =>
    withTenant(setup.app.db, tenant.tenant.id, (tx) =>
      tx
        .select({ to: mailOutbox.toAddress, subject: mailOutbox.subject, text: mailOutbox.textBody })
        .from(mailOutbox)
        .where(like(mailOutbox.dedupeKey, 'evidence:%'))
        .orderBy(mailOutbox.createdAt),
    );
  const delivered = async (count: number) => {
    await expect.poll(() => sink.mails.length, { timeout: 10_000 }).toBe(count);
    // Nothing else is waiting: a second delivery run sends nothing more.
    expect((await setup.app.mailer.deliverDue()).sent).toBe(0);
    expect(sink.mails).toHaveLength(count);
  };

  beforeAll(async () => {
    sink = await startMailSink();
    setup = await documentsApp(kind, { clock: time.clock, smtpUrl: sink.url });
    tenant = await publishedTenant(setup.app, 'acme');
    await publishEvidence(setup.app, tenant.system, ['session-limits']);
  }, 60_000);
  afterAll(async () => {
    await setup?.close();
    await sink?.close();
  });

  it('records since when a check fails, keeps that time while it fails, and clears it when it passes', async () => {
    verdict = { status: 'pass', summary: 'Sessions end after 30 minutes idle.', facts: {} };
    await worker().runForTenant(tenant.tenant.id, ['session-limits']);
    expect((await stored())?.failingSince).toBeNull();

    time.advance(60_000);
    const startedAt = time.clock();
    verdict = { status: 'fail', summary: 'Sessions end after 600 minutes idle.', facts: {} };
    await worker().runForTenant(tenant.tenant.id, ['session-limits']);
    expect((await stored())?.failingSince?.toISOString()).toBe(startedAt.toISOString());

    time.advance(60_000);
    // A run that could not look is not evidence either: the episode goes on, from its first failure.
    verdict = { status: 'fail', summary: 'still failing', facts: {} };
    await worker().runForTenant(tenant.tenant.id, ['session-limits']);
    const service = worker();
    const listed = await service.failingSince(tenant.tenant.id);
    expect(listed).toEqual({ 'session-limits': startedAt.toISOString() });

    time.advance(60_000);
    verdict = { status: 'not_applicable', summary: 'Nothing to look at here.', facts: {} };
    await worker().runForTenant(tenant.tenant.id, ['session-limits']);
    expect((await stored())?.failingSince).toBeNull();
    expect(await service.failingSince(tenant.tenant.id)).toEqual({});
  });

  it('a check that could not run counts as failing: its claim is unverified', async () => {
    time.advance(60_000);
    const failing = createEvidenceService({
      db: setup.app.db,
      clock: time.clock,
      vault: setup.app.services.vault,
      sealer: setup.sealer,
      transfer: setup.app.services.transfer,
      publishing: setup.app.services.publishing,
      checks: { ...realChecks, 'session-limits': () => Promise.reject(new Error('boom')) },
    });
    await failing.runForTenant(tenant.tenant.id, ['session-limits']);
    const row = await stored();
    expect(row?.status).toBe('error');
    expect(row?.failingSince?.toISOString()).toBe(time.clock().toISOString());
    time.advance(60_000);
    verdict = { status: 'pass', summary: 'Sessions end after 30 minutes idle.', facts: {} };
    await worker().runForTenant(tenant.tenant.id, ['session-limits']);
    expect((await stored())?.failingSince).toBeNull();
  });

  it('two workers racing the same transitions queue and send one mail per recipient and transition', async () => {
    // What the earlier tests' transitions mailed is delivered and set aside.
    const earlier = (await queued()).length;
    await expect.poll(() => sink.mails.length, { timeout: 10_000 }).toBe(earlier);
    sink.mails.splice(0);
    verdict = { status: 'pass', summary: 'Sessions end after 30 minutes idle.', facts: {} };
    await worker().runForTenant(tenant.tenant.id, ['session-limits']);

    for (let round = 1; round <= 3; round += 1) {
      time.advance(60_000);
      const since = time.clock();
      verdict = {
        status: 'fail',
        summary: 'Sessions end after 600 minutes idle and 12 hours at most.',
        facts: {},
      };
      await raceTwoWorkers();
      // A later failing run by either worker is the same episode: no new mail.
      time.advance(60_000);
      await worker().runForTenant(tenant.tenant.id, ['session-limits']);
      expect((await stored())?.failingSince?.toISOString()).toBe(since.toISOString());
      await delivered(round * 4 - 2);

      time.advance(60_000);
      verdict = { status: 'pass', summary: 'Sessions end after 30 minutes idle.', facts: {} };
      await raceTwoWorkers();
      await worker().runForTenant(tenant.tenant.id, ['session-limits']);
      await delivered(round * 4);
    }
    expect(sink.perRecipient()).toEqual(
      new Map([
        ['admin@acme.example', 6],
        ['owner@acme.example', 6],
      ]),
    );
    // Each mail has its own Message-ID: three failing and three recovered episodes per person.
    expect(new Set(sink.mails.map((mail) => mail.messageId)).size).toBe(12);
    const mails = (await queued()).slice(earlier);
    expect(mails).toHaveLength(12);
    const failingMail = mails.find((mail) => mail.subject === 'Evidence check failing: Session limits');
    expect(failingMail?.text).toContain('Sessions end after 600 minutes idle');
    expect(failingMail?.text).toContain('Verification failing since');
    expect(failingMail?.text).toContain('https://attest.example/admin/evidence');
    expect(
      mails.filter((mail) => mail.subject === 'Evidence check passes again: Session limits'),
    ).toHaveLength(6);
  });

  it('a result older than the stored one (a slow run finishing late) does not replace it', async () => {
    time.advance(60_000);
    verdict = { status: 'pass', summary: 'Sessions end after 30 minutes idle.', facts: {} };
    await worker().runForTenant(tenant.tenant.id, ['session-limits']);
    const before = await stored();
    // The slow run looked a minute ago: its result carries that time.
    time.advance(-60_000);
    verdict = { status: 'fail', summary: 'an old finding', facts: {} };
    await worker().runForTenant(tenant.tenant.id, ['session-limits']);
    time.advance(60_000);
    const after = await stored();
    expect(after?.status).toBe('pass');
    expect(after?.checkedAt.toISOString()).toBe(before?.checkedAt.toISOString());
    expect(after?.failingSince).toBeNull();
    const mails = await queued();
    expect(mails.filter((mail) => mail.text.includes('an old finding'))).toHaveLength(0);
  });
});
