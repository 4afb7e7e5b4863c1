import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { startSmtpServer, type TestSmtpServer } from '../../../test/support/smtp.js';
import { auditEvents } from '../../modules/audit/audit.schema.js';
import { auditLog } from '../../modules/audit/audit.service.js';
import { createTenantsService } from '../../modules/tenants/tenants.service.js';
import { ServiceContext, systemContext } from '../auth/context.js';
import type { Database } from '../db/client.js';
import { withPlatform, withTenant } from '../db/tenancy.js';
import { createLogger } from '../logging/logger.js';
import { mailOutbox } from './mail.schema.js';
import {
  createMailer,
  DEFAULT_SMTP_DELIVERY,
  LEASE_MS,
  LIMITED_RETRY_MS,
  MAX_ATTEMPTS,
  messageIdOf,
  RETRY_BASE_MS,
} from './mailer.js';
import { createOutboxService, enqueueMail } from './outbox.js';

describe.each(testDatabaseKinds)('mail outbox and delivery on $name', (kind) => {
  let db: Database;
  let smtp: TestSmtpServer;
  let tenantA = '';
  let tenantB = '';
  let now = new Date('2026-11-26T09:00:00Z').getTime();
  const clock = () => new Date(now);
  const logger = createLogger('silent');

  beforeAll(async () => {
    db = await kind.create();
    smtp = await startSmtpServer();
    const tenants = createTenantsService({ db });
    tenantA = (await tenants.create({ slug: 'mail-a', name: 'Mail A' })).id;
    tenantB = (await tenants.create({ slug: 'mail-b', name: 'Mail B' })).id;
  });
  afterAll(async () => {
    await smtp?.close();
    await db?.close();
  });
  beforeEach(async () => {
    smtp.received.length = 0;
    smtp.reject(undefined);
    // Each test starts from an empty outbox (the superuser connection bypasses RLS).
    await db.orm.delete(mailOutbox);
  });

  const message = (subject: string) => ({
    to: 'Reviewer@Customer.example',
    subject,
    text: `Hello.\n\nThis is ${subject}.`,
    fromName: 'Mail A Trust Center',
    replyTo: 'security@mail-a.example',
    headers: { 'List-Unsubscribe': '<https://trust.example/u/1>' },
  });

  it('delivers a mail enqueued in a committed transaction over SMTP, with sender name and headers', async () => {
    const mailer = createMailer({ db, smtpUrl: smtp.url, from: 'no-reply@attest.example', clock, logger });
    await withTenant(db, tenantA, (tx) => enqueueMail(tx, tenantA, message('the committed mail'), clock()));
    const report = await mailer.deliverDue();
    await mailer.stop();
    expect(report).toMatchObject({ sent: 1, failed: 0, retrying: 0 });
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail?.to).toEqual(['reviewer@customer.example']);
    expect(mail?.from).toBe('no-reply@attest.example');
    expect(mail?.headers.from).toContain('Mail A Trust Center');
    expect(mail?.headers['reply-to']).toBe('security@mail-a.example');
    expect(mail?.headers['list-unsubscribe']).toBe('<https://trust.example/u/1>');
    expect(mail?.headers.subject).toBe('the committed mail');
    expect(mail?.text).toContain('This is the committed mail.');
    const [row] = await db.orm.select().from(mailOutbox);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    expect(row?.sentAt?.toISOString()).toBe(clock().toISOString());
  });

  it('never sends a mail whose transaction rolled back', async () => {
    const mailer = createMailer({ db, smtpUrl: smtp.url, from: 'no-reply@attest.example', clock, logger });
    await expect(
      withTenant(db, tenantA, async (tx) => {
        await enqueueMail(tx, tenantA, message('the rolled-back mail'), clock());
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await mailer.deliverDue()).toEqual({ sent: 0, failed: 0, retrying: 0, stored: 0 });
    await mailer.stop();
    expect(smtp.received).toHaveLength(0);
    expect(await db.orm.select().from(mailOutbox)).toHaveLength(0);
  });

  it('retries a refused mail with exponential backoff, then marks it failed with a code', async () => {
    smtp.reject(451);
    const mailer = createMailer({ db, smtpUrl: smtp.url, from: 'no-reply@attest.example', clock, logger });
    await withTenant(db, tenantA, (tx) => enqueueMail(tx, tenantA, message('the refused mail'), clock()));
    const refusedBefore = smtp.refused;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const report = await mailer.deliverDue();
      const [row] = await db.orm.select().from(mailOutbox);
      expect(row?.attempts).toBe(attempt);
      expect(row?.lastError).toBe('smtp:EMESSAGE:451');
      if (attempt < MAX_ATTEMPTS) {
        expect(report.retrying).toBe(1);
        expect(row?.status).toBe('pending');
        const wait = RETRY_BASE_MS * 2 ** (attempt - 1);
        expect(row?.nextAttemptAt.getTime()).toBe(now + wait);
        // Not due before its time.
        now += wait - 1000;
        expect((await mailer.deliverDue()).retrying).toBe(0);
        now += 1000;
      } else {
        expect(report.failed).toBe(1);
        expect(row?.status).toBe('failed');
      }
    }
    now += 3_600_000;
    expect(await mailer.deliverDue()).toEqual({ sent: 0, failed: 0, retrying: 0, stored: 0 });
    await mailer.stop();
    expect(smtp.refused - refusedBefore).toBe(MAX_ATTEMPTS);
    expect(smtp.received).toHaveLength(0);
  });

  it('gives up at once on a permanent refusal (5xx)', async () => {
    smtp.reject(550);
    const mailer = createMailer({ db, smtpUrl: smtp.url, from: 'no-reply@attest.example', clock, logger });
    await withTenant(db, tenantA, (tx) => enqueueMail(tx, tenantA, message('the rejected mail'), clock()));
    expect((await mailer.deliverDue()).failed).toBe(1);
    await mailer.stop();
    const [row] = await db.orm.select().from(mailOutbox);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, lastError: 'smtp:EMESSAGE:550' });
  });

  it("paces each tenant's mail to its rate: the default client knows whose mail it sends", async () => {
    const realClock = () => new Date();
    const delivery = { ...DEFAULT_SMTP_DELIVERY, limits: { perTenant: { perSecond: 2 } } };
    const mailer = createMailer({
      db,
      smtpUrl: smtp.url,
      from: 'no-reply@attest.example',
      clock: realClock,
      logger,
      delivery,
    });
    await withTenant(db, tenantA, async (tx) => {
      for (let n = 1; n <= 6; n += 1) await enqueueMail(tx, tenantA, message(`paced mail ${n}`), realClock());
    });
    const started = Date.now();
    const report = await mailer.deliverDue();
    const elapsed = Date.now() - started;
    await mailer.stop();
    expect(report).toMatchObject({ sent: 6, failed: 0, retrying: 0 });
    expect(smtp.received).toHaveLength(6);
    // Two a second: six mails take at least three one-second windows, so two boundaries pass.
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
  });

  it('a mail its rate limit held back is due again soon and spends no attempt', async () => {
    const limited = {
      async sendBatch(mails: readonly unknown[]) {
        return mails.map(() => ({ ok: false as const, code: 'smtp:ELIMIT', permanent: false }));
      },
      async close() {},
    };
    const mailer = createMailer({
      db,
      smtpUrl: smtp.url,
      from: 'no-reply@attest.example',
      clock,
      logger,
      smtpClient: () => limited,
    });
    await withTenant(db, tenantA, (tx) => enqueueMail(tx, tenantA, message('the held-back mail'), clock()));
    for (let round = 0; round < MAX_ATTEMPTS + 2; round += 1) {
      expect(await mailer.deliverDue()).toMatchObject({ retrying: 1, failed: 0 });
      const [row] = await db.orm.select().from(mailOutbox);
      expect(row).toMatchObject({ status: 'pending', attempts: 0, lastError: 'smtp:ELIMIT' });
      expect(row?.nextAttemptAt.getTime()).toBe(now + LIMITED_RETRY_MS);
      now += LIMITED_RETRY_MS;
    }
    await mailer.stop();
    // Once the limit lets it through, it goes with its first attempt.
    const sender = createMailer({ db, smtpUrl: smtp.url, from: 'no-reply@attest.example', clock, logger });
    expect(await sender.deliverDue()).toMatchObject({ sent: 1 });
    await sender.stop();
    const [row] = await db.orm.select().from(mailOutbox);
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('keeps mails in the outbox as stored when no SMTP server is configured', async () => {
    const mailer = createMailer({ db, smtpUrl: undefined, from: 'no-reply@attest.example', clock, logger });
    await withTenant(db, tenantA, (tx) => enqueueMail(tx, tenantA, message('the kept mail'), clock()));
    expect((await mailer.deliverDue()).stored).toBe(1);
    await mailer.stop();
    const [row] = await db.orm.select().from(mailOutbox);
    expect(row?.status).toBe('stored');
  });

  it('stores one mail per dedupe key and tenant', async () => {
    const keyed = { ...message('the keyed mail'), dedupeKey: 'notice-1:subscriber-1' };
    const first = await withTenant(db, tenantA, (tx) => enqueueMail(tx, tenantA, keyed, clock()));
    const second = await withTenant(db, tenantA, (tx) => enqueueMail(tx, tenantA, keyed, clock()));
    const other = await withTenant(db, tenantB, (tx) => enqueueMail(tx, tenantB, keyed, clock()));
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toBeNull();
    expect(other).toMatch(/^[0-9a-f-]{36}$/);
    expect(await db.orm.select().from(mailOutbox)).toHaveLength(2);
  });

  it("lists a tenant's own outbox only, and shows bodies only to those who manage settings", async () => {
    await withTenant(db, tenantA, (tx) => enqueueMail(tx, tenantA, message('a mail of A'), clock()));
    await withTenant(db, tenantB, (tx) => enqueueMail(tx, tenantB, message('a mail of B'), clock()));
    const outbox = createOutboxService({ db });
    const page = { limit: 50, offset: 0 };
    const ofA = await outbox.list(systemContext(tenantA), page);
    expect(ofA.items.map((item) => item.subject)).toEqual(['a mail of A']);
    expect(ofA.items[0]?.text).toContain('This is a mail of A.');
    const reader = new ServiceContext(tenantA, { kind: 'user', id: 'reader' }, ['settings:read']);
    expect((await outbox.list(reader, page)).items[0]?.text).toBeNull();
    const ofB = await outbox.list(systemContext(tenantB), page);
    expect(ofB.items.map((item) => item.subject)).toEqual(['a mail of B']);
    // The dispatcher's role reads across tenants but cannot write mails.
    await expect(
      withPlatform(db, (tx) =>
        tx.insert(mailOutbox).values({
          tenantId: tenantA,
          toAddress: 'x@y.example',
          subject: 's',
          textBody: 't',
          headers: {},
          status: 'pending',
          attempts: 0,
          nextAttemptAt: clock(),
          createdAt: clock(),
        }),
      ),
    ).rejects.toThrow();
    const all = await withPlatform(db, (tx) => tx.select({ id: mailOutbox.id }).from(mailOutbox));
    expect(all).toHaveLength(2);
    await withPlatform(db, (tx) =>
      tx.update(mailOutbox).set({ status: 'stored' }).where(eq(mailOutbox.tenantId, tenantA)),
    );
  });

  it("the platform role reads a mail's delivery state, never its recipient or text", async () => {
    await withTenant(db, tenantA, (tx) => enqueueMail(tx, tenantA, message('a private mail'), clock()));
    await expect(
      withPlatform(db, (tx) => tx.select({ to: mailOutbox.toAddress }).from(mailOutbox)),
    ).rejects.toThrow();
    await expect(
      withPlatform(db, (tx) => tx.select({ text: mailOutbox.textBody }).from(mailOutbox)),
    ).rejects.toThrow();
    const [state] = await withPlatform(db, (tx) =>
      tx.select({ status: mailOutbox.status, attempts: mailOutbox.attempts }).from(mailOutbox),
    );
    expect(state).toEqual({ status: 'pending', attempts: 0 });
  });

  it("sends a stable Message-ID per mail and records the server's reply with its queue id", async () => {
    const mailer = createMailer({ db, smtpUrl: smtp.url, from: 'no-reply@attest.example', clock, logger });
    const keyed = { ...message('the notice mail'), dedupeKey: 'notice:n-1:subscriber-1' };
    const id = await withTenant(db, tenantA, (tx) => enqueueMail(tx, tenantA, keyed, clock()));
    await withTenant(db, tenantB, (tx) => enqueueMail(tx, tenantB, keyed, clock()));
    expect((await mailer.deliverDue()).sent).toBe(2);
    await mailer.stop();
    const [ofA] = await db.orm
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.id, String(id)));
    const expected = messageIdOf(
      { id: String(id), tenantId: tenantA, dedupeKey: keyed.dedupeKey },
      'x@attest.example',
    );
    expect(ofA).toMatchObject({ status: 'sent', attempts: 1, messageId: expected });
    expect(ofA?.smtpReply).toMatch(/^250 OK: queued as Q\d+$/);
    const ids = smtp.received.map((mail) => mail.headers['message-id']);
    expect(ids).toContain(expected);
    // Per tenant and key: the same key in another tenant is another mail.
    expect(new Set(ids).size).toBe(2);
    // The console shows both, so a mail can be found in the server's logs.
    const listed = await createOutboxService({ db }).list(systemContext(tenantA), { limit: 10, offset: 0 });
    expect(listed.items[0]).toMatchObject({ messageId: expected, smtpReply: ofA?.smtpReply });
  });

  it('a crash after the server took a mail but before "sent" was recorded: reconciled and re-sent with the same Message-ID', async () => {
    const lines: Record<string, unknown>[] = [];
    const capture = pino(
      { level: 'info', base: undefined },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    await withTenant(db, tenantA, (tx) =>
      enqueueMail(tx, tenantA, { ...message('the interrupted mail'), dedupeKey: 'notice:n-2:s-1' }, clock()),
    );
    // The first process hands the mail over; the server's reply is slow, and the process dies waiting.
    smtp.hold();
    const dying = createMailer({
      db,
      smtpUrl: smtp.url,
      from: 'no-reply@attest.example',
      clock,
      logger: capture,
    });
    const lost = dying.deliverDue();
    while (smtp.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    smtp.resume();
    const [left] = await db.orm.select().from(mailOutbox);
    expect(left).toMatchObject({ status: 'sending', attempts: 1, sentAt: null, smtpReply: null });
    expect(left?.sendStartedAt).toEqual(clock());

    // The restarted process leaves it alone while the lease runs: the first may still record it.
    const restarted = createMailer({
      db,
      smtpUrl: smtp.url,
      from: 'no-reply@attest.example',
      clock,
      logger: capture,
    });
    expect((await restarted.deliverDue()).sent).toBe(0);
    expect(smtp.received).toHaveLength(1);
    now += LEASE_MS + 1;
    expect((await restarted.deliverDue()).sent).toBe(1);
    const [first, second] = smtp.received;
    expect(second?.headers['message-id']).toBe(first?.headers['message-id']);
    expect(second?.headers['message-id']).toBe(left?.messageId);
    const [after] = await db.orm.select().from(mailOutbox);
    expect(after).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    expect(after?.smtpReply).toMatch(/queued as Q\d+$/);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: expect.stringContaining('mail delivery was interrupted'),
        mailId: left?.id,
        messageId: left?.messageId,
        giveUp: false,
      }),
    );

    // The first process's late answer changes nothing: the second attempt's record stands.
    smtp.release();
    await lost;
    const [final] = await db.orm.select().from(mailOutbox);
    expect(final).toMatchObject({ status: 'sent', attempts: 2, smtpReply: after?.smtpReply });
    await dying.stop();
    await restarted.stop();
  });

  it('an interrupted mail with no attempts left is failed as interrupted, not sent again', async () => {
    const id = await withTenant(db, tenantA, (tx) =>
      enqueueMail(tx, tenantA, message('the last try'), clock()),
    );
    // What a process that died during its last attempt leaves behind.
    await db.orm
      .update(mailOutbox)
      .set({ status: 'sending', attempts: MAX_ATTEMPTS, sendStartedAt: clock(), nextAttemptAt: clock() })
      .where(eq(mailOutbox.id, String(id)));
    const mailer = createMailer({ db, smtpUrl: smtp.url, from: 'no-reply@attest.example', clock, logger });
    expect(await mailer.deliverDue()).toMatchObject({ sent: 0 });
    await mailer.stop();
    expect(smtp.received).toHaveLength(0);
    const [row] = await db.orm.select().from(mailOutbox);
    expect(row).toMatchObject({ status: 'failed', lastError: 'mail:interrupted', attempts: MAX_ATTEMPTS });
  });

  it('sends a mail refused for good again from the console once the cause is fixed, in its own tenant only', async () => {
    smtp.reject(550);
    const mailer = createMailer({ db, smtpUrl: smtp.url, from: 'no-reply@attest.example', clock, logger });
    const id = String(
      await withTenant(db, tenantA, (tx) =>
        enqueueMail(tx, tenantA, { ...message('the refused mail'), dedupeKey: 'notice:n-9:s-9' }, clock()),
      ),
    );
    expect((await mailer.deliverDue()).failed).toBe(1);
    let kicked = 0;
    const outbox = createOutboxService({ db, clock, audit: auditLog, mailQueued: () => (kicked += 1) });
    const owner = systemContext(tenantA, 'resend-test');
    const reader = new ServiceContext(tenantA, { kind: 'user', id: 'reader' }, ['settings:read']);
    await expect(outbox.resend(reader, id)).rejects.toMatchObject({ code: 'auth.forbidden' });
    await expect(outbox.resend(systemContext(tenantB, 'resend-test'), id)).rejects.toMatchObject({
      code: 'mail.not_found',
    });
    for (const hostile of ["' or '1'='1", `${id}' --`, '../outbox', 'x'.repeat(5000), '']) {
      await expect(outbox.resend(owner, hostile)).rejects.toThrow();
    }
    const [still] = await db.orm.select().from(mailOutbox);
    expect(still).toMatchObject({ status: 'failed', lastError: 'smtp:EMESSAGE:550', attempts: 1 });
    expect(kicked).toBe(0);

    // The cause is fixed (the mailbox exists now): the same mail goes out, with its Message-ID.
    smtp.reject(undefined);
    const entry = await outbox.resend(owner, id);
    expect(entry).toMatchObject({ id, status: 'pending', attempts: 0, lastError: null });
    expect(kicked).toBe(1);
    expect((await mailer.deliverDue()).sent).toBe(1);
    await mailer.stop();
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.headers['message-id']).toBe(
      messageIdOf({ id, tenantId: tenantA, dedupeKey: 'notice:n-9:s-9' }, 'x@attest.example'),
    );
    const [sent] = await db.orm.select().from(mailOutbox);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, lastError: null, leaseId: null });
    // Sent is sent: nothing to send again.
    await expect(outbox.resend(owner, id)).rejects.toMatchObject({ code: 'mail.not_failed' });
    const events = await db.orm
      .select({ action: auditEvents.action, target: auditEvents.targetId })
      .from(auditEvents)
      .where(eq(auditEvents.tenantId, tenantA));
    expect(events.filter((event) => event.action === 'mail.resent')).toEqual([
      { action: 'mail.resent', target: id },
    ]);
  });

  it('a send that outlasts the lease keeps its mail: renewal holds it, another process leaves it alone', async () => {
    const realClock = () => new Date();
    await withTenant(db, tenantA, (tx) => enqueueMail(tx, tenantA, message('the slow mail'), realClock()));
    smtp.hold();
    const options = { db, smtpUrl: smtp.url, from: 'no-reply@attest.example', clock: realClock, logger };
    const slow = createMailer({ ...options, leaseMs: 600, heartbeatMs: 100 });
    const other = createMailer({ ...options, leaseMs: 600, heartbeatMs: 100 });
    const sending = slow.deliverDue();
    while (smtp.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    // Two leases later the server still has not answered; the other process finds nothing to do.
    for (let round = 0; round < 2; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await other.deliverDue()).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
    }
    smtp.release();
    expect((await sending).sent).toBe(1);
    expect(await other.deliverDue()).toMatchObject({ sent: 0 });
    await slow.stop();
    await other.stop();
    expect(smtp.received).toHaveLength(1);
    const [row] = await db.orm.select().from(mailOutbox);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null, leaseId: null });
  });
});
