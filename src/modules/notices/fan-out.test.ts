import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/support/app.js';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { startSmtpServer, type TestSmtpServer } from '../../../test/support/smtp.js';
import { systemContext } from '../../platform/auth/context.js';
import { resultRows } from '../../platform/db/client.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { createLogger } from '../../platform/logging/logger.js';
import { createMailer, DEFAULT_SMTP_DELIVERY, type Mailer } from '../../platform/mail/mailer.js';
import { createWorker, type Worker } from '../../worker/worker.js';
import { subscribers } from '../subscribers/subscribers.schema.js';
import { createFanOut } from './fan-out.js';
import { STUCK_AFTER_MS } from './notices.jobs.js';

const SUBSCRIBERS = 1000;
const ORIGIN = 'http://127.0.0.1:3000';

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(testDatabaseKinds)('notice fan-out on $name', (kind) => {
  const time = manualClock();
  let smtp: TestSmtpServer;
  // The app's own mailer (kicked by a retry) and the test's deliver to the same sink.
  const holder = useTestApp(kind, {
    clock: time.clock,
    smtpUrl: async () => {
      smtp = await startSmtpServer();
      return smtp.url;
    },
  });
  const logger = createLogger('silent');
  let mailer: Mailer;
  let tenantId = '';
  let worker: Worker | undefined;

  const ctx = () => systemContext(tenantId, 'fan-out-test');
  const notice = async (id: string) => holder.app.services.notices.get(ctx(), id);
  async function deliverAll(): Promise<void> {
    for (;;) {
      const report = await mailer.deliverDue();
      if (report.sent + report.retrying + report.failed === 0) return;
    }
  }
  async function publishNotice(title: string): Promise<string> {
    const post = await holder.app.services.posts.create(ctx(), { kind: 'general', title, body: 'Body.' });
    await holder.app.services.posts.publish(ctx(), post.id);
    const found = (await holder.app.services.notices.list(ctx())).items.find(
      (item) => item.subject === title,
    );
    if (!found) throw new Error('no notice');
    return found.id;
  }
  function startWorker(options: Partial<Parameters<typeof createWorker>[0]>): Promise<void> {
    worker = createWorker({
      db: holder.app.db,
      sealer: holder.sealer,
      services: holder.app.services,
      clock: time.clock,
      logger,
      publicUrl: ORIGIN,
      // The test delivers the outbox itself, so it can count what arrived.
      mailer: undefined,
      retryDelaySeconds: 1,
      pollingIntervalSeconds: 0.5,
      tickMs: 3_600_000,
      fanOutBatchSize: 100,
      ...options,
    });
    holder.app.setNoticeDispatcher(worker.dispatch);
    return worker.start();
  }

  beforeAll(async () => {
    mailer = createMailer({
      db: holder.app.db,
      smtpUrl: smtp.url,
      from: 'notices@attest.test',
      clock: time.clock,
      logger,
      delivery: { ...DEFAULT_SMTP_DELIVERY, connections: 8 },
    });
    const { services, db } = holder.app;
    tenantId = (await services.tenants.create({ slug: 'fanout', name: 'Fan-out Tenant' })).id;
    await services.transfer.importDraft(systemContext(tenantId), sampleDocument('Fanout'), { publish: true });
    await withTenant(db, tenantId, (tx) =>
      tx.insert(subscribers).values(
        Array.from({ length: SUBSCRIBERS }, (_, index) => ({
          tenantId,
          email: `reader${index}@customers.example`,
          topics: ['all' as const],
          confirmedAt: time.clock(),
          createdAt: time.clock(),
        })),
      ),
    );
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await mailer?.stop();
    await smtp?.close();
  });

  let deliveredNotice = '';
  const asEditor = async (permissions: string[]) =>
    `Bearer ${await holder.app.tokens.mint({
      subject: '00000000-0000-4000-8000-00000000000a',
      tenantId,
      permissions: permissions as never,
    })}`;

  it('delivers exactly one mail per subscriber when the worker dies mid-run and the job is retried', async () => {
    const noticeId = await publishNotice('Exactly once');
    deliveredNotice = noticeId;
    // A worker dies after three batches: what it committed stays, nothing records the failure.
    const dying = createFanOut({
      db: holder.app.db,
      sealer: holder.sealer,
      clock: time.clock,
      publicUrl: ORIGIN,
      batchSize: 100,
    });
    await expect(
      dying(tenantId, noticeId, {
        afterBatch(batch) {
          if (batch === 3) throw new Error('worker killed');
        },
      }),
    ).rejects.toThrow('worker killed');
    expect(await notice(noticeId)).toMatchObject({
      state: 'sending',
      recipients: 300,
      delivery: { pending: 300, sent: 0, failed: 0, stored: 0 },
    });
    await deliverAll();
    expect(smtp.received).toHaveLength(300);
    expect((await notice(noticeId)).delivery).toEqual({ pending: 0, sent: 300, failed: 0, stored: 0 });

    // A new worker finds the stuck notice on its tick; its first try dies too and pg-boss retries it.
    let crashes = 0;
    await startWorker({
      fanOutHooks: {
        afterBatch(batch) {
          if (batch === 2 && crashes === 0) {
            crashes += 1;
            throw new Error('worker killed again');
          }
        },
      },
    });
    time.advance(STUCK_AFTER_MS + 1_000);
    expect((await worker?.tick())?.requeued).toBe(1);
    await until(async () => (await notice(noticeId)).state === 'sent', 'the notice to be sent');
    expect(crashes).toBe(1);
    await deliverAll();

    const addresses = smtp.received.flatMap((mail) => mail.to);
    expect(addresses).toHaveLength(SUBSCRIBERS);
    expect(new Set(addresses).size).toBe(SUBSCRIBERS);
    expect(await notice(noticeId)).toMatchObject({
      state: 'sent',
      recipients: SUBSCRIBERS,
      delivery: { pending: 0, sent: SUBSCRIBERS, failed: 0, stored: 0 },
    });
    // The console's list counts the same, per notice.
    const listed = (await holder.app.services.notices.list(ctx())).items.find((item) => item.id === noticeId);
    expect(listed?.delivery).toEqual({ pending: 0, sent: SUBSCRIBERS, failed: 0, stored: 0 });
    for (const mail of smtp.received.slice(0, 3)) {
      expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    }
  }, 60_000);

  it('a notice some of whose mails were refused for good reads failed, and its retry sends only those again', async () => {
    const noticeId = deliveredNotice;
    const retry = async () =>
      holder.app.server.inject({
        method: 'POST',
        url: `/api/v1/notices/${noticeId}/retry`,
        headers: { authorization: await asEditor(['updates:write', 'content:read']) },
      });
    // Everything delivered: nothing to retry.
    expect((await retry()).statusCode).toBe(409);
    // What a run of 550 replies leaves: five mails failed for good (the superuser bypasses RLS).
    const refused = await holder.app.db.orm.execute(sql`
      update mail_outbox set status = 'failed', last_error = 'smtp:EENVELOPE:550', attempts = 1
      where id in (select id from mail_outbox where dedupe_key like ${`notice:${noticeId}:%`} order by id limit 5)
      returning id`);
    expect(resultRows(refused)).toHaveLength(5);
    expect(await notice(noticeId)).toMatchObject({
      state: 'failed',
      lastError: 'mail:failed',
      delivery: { pending: 0, sent: SUBSCRIBERS - 5, failed: 5, stored: 0 },
    });
    const before = smtp.received.length;
    const retried = await retry();
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ state: 'sent', delivery: { pending: 5, failed: 0 } });
    await deliverAll();
    await until(async () => smtp.received.length - before >= 5, 'the five mails');
    await holder.app.mailer.kick();
    // The five again, with the Message-IDs they had; nobody else.
    expect(smtp.received.length - before).toBe(5);
    expect(await notice(noticeId)).toMatchObject({
      state: 'sent',
      delivery: { pending: 0, sent: SUBSCRIBERS, failed: 0, stored: 0 },
    });
    expect((await retry()).statusCode).toBe(409);
    // Another tenant's notice is not found; reading alone does not allow a retry.
    const other = await holder.app.services.tenants.create({ slug: 'fanout-other', name: 'Other' });
    const foreign = await holder.app.server.inject({
      method: 'POST',
      url: `/api/v1/notices/${noticeId}/retry`,
      headers: {
        authorization: `Bearer ${await holder.app.tokens.mint({
          subject: '00000000-0000-4000-8000-00000000000b',
          tenantId: other.id,
          permissions: ['updates:write', 'content:read'],
        })}`,
      },
    });
    expect(foreign.statusCode).toBe(404);
    const reader = await holder.app.server.inject({
      method: 'POST',
      url: `/api/v1/notices/${noticeId}/retry`,
      headers: { authorization: await asEditor(['content:read']) },
    });
    expect(reader.statusCode).toBe(403);
  }, 60_000);

  it('ends a fan-out that keeps failing in a visible failed state, and retries it on request', async () => {
    await worker?.stop();
    await startWorker({
      retryLimit: 1,
      fanOutHooks: {
        afterBatch() {
          throw new Error('always fails');
        },
      },
    });
    const noticeId = await publishNotice('Always failing');
    await until(async () => (await notice(noticeId)).state === 'failed', 'the notice to fail');
    expect(await notice(noticeId)).toMatchObject({
      state: 'failed',
      attempts: 2,
      lastError: 'fan_out:Error',
    });

    await worker?.stop();
    await startWorker({});
    const retried = await holder.app.server.inject({
      method: 'POST',
      url: `/api/v1/notices/${noticeId}/retry`,
      headers: {
        authorization: `Bearer ${await holder.app.tokens.mint({
          subject: '00000000-0000-4000-8000-00000000000a',
          tenantId,
          permissions: ['updates:write', 'content:read'],
        })}`,
      },
    });
    expect(retried.statusCode).toBe(200);
    await until(async () => (await notice(noticeId)).state === 'sent', 'the retried notice to be sent');
    expect(await notice(noticeId)).toMatchObject({ state: 'sent', recipients: SUBSCRIBERS, lastError: null });
  }, 60_000);
});
