import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { filesUnder, multipart } from '../../../test/support/documents.js';
import { documentsApp, publishedTenant } from '../../../test/support/documents-app.js';
import { publishEvidence } from '../../../test/support/evidence.js';
import { systemContext } from '../../platform/auth/context.js';
import { resultRows } from '../../platform/db/client.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { createFormRateLimiter } from '../../platform/http/form-rate-limit.js';
import { createLogger } from '../../platform/logging/logger.js';
import { createScheduler } from '../../worker/scheduler.js';
import { auditEvents } from '../audit/audit.schema.js';
import { insertSession } from '../sessions/sessions.service.js';
import { checkContainerRuntime } from './checks/container-runtime.js';
import { type EvidenceCheckKey, evidenceCheckKeys } from './evidence.contract.js';
import { evidenceResults } from './evidence.schema.js';
import { createEvidenceService } from './evidence.service.js';

const DAY_MS = 86_400_000;

/** Checks of the installation rather than the trust center: what they find depends on where the tests run. */
const INSTALLATION_CHECKS: ReadonlySet<string> = new Set([
  'container-runtime',
  'backup-freshness',
  'restore-drill',
]);

describe.each(testDatabaseKinds)('live evidence checks on $name', (kind) => {
  let setup: Awaited<ReturnType<typeof documentsApp>>;
  let tenant: Awaited<ReturnType<typeof publishedTenant>>;
  const time = manualClock(new Date(Date.now() - 60_000));

  const app = () => setup.app;
  const run = async (key: EvidenceCheckKey) => {
    await app().services.evidence.runForTenant(tenant.tenant.id, [key]);
    const [row] = await withTenant(app().db, tenant.tenant.id, (tx) =>
      tx.select().from(evidenceResults).where(sql`${evidenceResults.checkKey} = ${key}`),
    );
    if (!row) throw new Error(`no result for ${key}`);
    return row;
  };
  const superuser = (statement: ReturnType<typeof sql>) => app().db.orm.execute(statement);
  /** The evidence service of this app with other checks in place of the real ones. */
  const serviceWith = (checks: Parameters<typeof createEvidenceService>[0]['checks']) =>
    createEvidenceService({
      db: app().db,
      clock: time.clock,
      vault: app().services.vault,
      sealer: setup.sealer,
      transfer: app().services.transfer,
      publishing: app().services.publishing,
      checks,
    });

  beforeAll(async () => {
    setup = await documentsApp(kind, { clock: time.clock });
    tenant = await publishedTenant(setup.app, 'evidence');
    for (const [name, text] of [
      ['policy.md', '# Security policy\n'],
      ['notes.txt', 'plain text notes\n'],
    ] as const) {
      const body = multipart(
        { title: name, accessLevel: 'private' },
        { filename: name, data: Buffer.from(text), contentType: 'text/plain' },
      );
      const response = await setup.app.server.inject({
        method: 'POST',
        url: '/api/v1/documents',
        headers: { authorization: tenant.authorization, ...body.headers },
        payload: body.payload,
      });
      expect(response.statusCode, response.body).toBe(201);
    }
    await publishEvidence(setup.app, tenant.system, evidenceCheckKeys);
  }, 60_000);
  afterAll(async () => setup?.close());

  it('every check passes on a healthy trust center, and the results are stored', async () => {
    const report = await app().services.evidence.runForTenant(tenant.tenant.id);
    const rows = await withTenant(app().db, tenant.tenant.id, (tx) => tx.select().from(evidenceResults));
    // The container check reads the machine the tests run on (container-runtime.test.ts); this
    // app has no backup schedule, so the backup checks fail (src/worker/backups.test.ts passes them).
    const failing = rows
      .filter((row) => row.status !== 'pass' && !INSTALLATION_CHECKS.has(row.checkKey))
      .map((row) => `${row.checkKey}: ${row.summary}`);
    expect(failing).toEqual([]);
    for (const key of ['backup-freshness', 'restore-drill'])
      expect(rows.find((row) => row.checkKey === key)).toMatchObject({
        status: 'fail',
        summary: expect.stringMatching(/^No backup schedule is configured/),
      });
    const container = rows.find((row) => row.checkKey === 'container-runtime');
    expect(container?.status).toBe(checkContainerRuntime().status);
    expect(report).toMatchObject({
      ran: evidenceCheckKeys.length,
      failed: report.failed.filter((key) => INSTALLATION_CHECKS.has(key)),
      errors: [],
    });
    expect(rows.map((row) => row.checkKey).sort()).toEqual([...evidenceCheckKeys].sort());
    for (const row of rows) {
      expect(row.summary.length).toBeLessThanOrEqual(300);
      expect(row.summary).not.toContain(tenant.tenant.id);
    }
    const encryption = rows.find((row) => row.checkKey === 'encryption-at-rest');
    expect(encryption?.facts).toMatchObject({ filesChecked: 2, filesAuthenticated: 2, dataKeysSealed: 1 });
    const isolation = rows.find((row) => row.checkKey === 'tenant-isolation');
    expect(Number(isolation?.facts.tenantTables)).toBeGreaterThan(20);
    expect(isolation?.facts.forcedWithPolicy).toBe(isolation?.facts.tenantTables);
  });

  it('tenant isolation fails when a table stops forcing row-level security', async () => {
    await superuser(sql`alter table controls no force row level security`);
    try {
      const row = await run('tenant-isolation');
      expect(row.status).toBe('fail');
      expect(row.summary).toMatch(/^1 of \d+ tenant tables lack forced row-level security/);
    } finally {
      await superuser(sql`alter table controls force row level security`);
    }
    expect((await run('tenant-isolation')).status).toBe('pass');
  });

  it('encryption at rest fails when a stored file is replaced by plaintext', async () => {
    const [file] = filesUnder(setup.blobDir);
    if (!file) throw new Error('no stored file');
    const original = fs.readFileSync(file);
    fs.writeFileSync(file, 'plain text that was never encrypted');
    try {
      const row = await run('encryption-at-rest');
      expect(row.status).toBe('fail');
      expect(row.summary).toContain('1 of 2 stored document files did not decrypt and authenticate');
    } finally {
      fs.writeFileSync(file, original);
    }
    expect((await run('encryption-at-rest')).status).toBe('pass');
  });

  it('audit log integrity fails when an event is altered behind the application', async () => {
    const tenantId = tenant.tenant.id;
    const [event] = resultRows<{ seq: number; details: unknown }>(
      await superuser(
        sql`select seq, details from audit_events where tenant_id = ${tenantId} order by seq limit 1`,
      ),
    );
    await superuser(
      sql`update audit_events set details = '{"forged":1}' where tenant_id = ${tenantId} and seq = 1`,
    );
    try {
      const row = await run('audit-log-integrity');
      expect(row.status).toBe('fail');
      expect(row.summary).toContain('breaks at event 1');
    } finally {
      await superuser(
        sql`update audit_events set details = ${JSON.stringify(event?.details)}::jsonb where tenant_id = ${tenantId} and seq = 1`,
      );
    }
    expect((await run('audit-log-integrity')).status).toBe('pass');
  });

  it('retention fails for a finished mail that kept its recipient for 31 days', async () => {
    const created = new Date(time.clock().getTime() - 31 * DAY_MS);
    await superuser(sql`
      insert into mail_outbox (tenant_id, to_address, subject, text_body, headers, status, attempts, next_attempt_at, created_at, sent_at)
      values (${tenant.tenant.id}, 'someone@example.com', 'old', 'body', '{}', 'sent', 1, ${created}, ${created}, ${created})`);
    try {
      const row = await run('retention');
      expect(row.status).toBe('fail');
      expect(row.facts).toMatchObject({ unredactedMailsPastRetention: 1 });
      expect(row.summary).not.toContain('someone@example.com');
    } finally {
      await superuser(sql`delete from mail_outbox where subject = 'old'`);
    }
    expect((await run('retention')).status).toBe('pass');
  });

  it('incident notification fails for an incident notified 30 hours after detection', async () => {
    const detected = new Date(time.clock().getTime() - 10 * DAY_MS);
    const notified = new Date(detected.getTime() + 30 * 3_600_000);
    await superuser(sql`
      insert into incidents (tenant_id, title, detected_at, customers_notified_at)
      values (${tenant.tenant.id}, 'late one', ${detected}, ${notified})`);
    try {
      const row = await run('incident-notification');
      expect(row.status).toBe('fail');
      expect(row.facts).toMatchObject({ incidents: 1, late: 1 });
    } finally {
      await superuser(sql`delete from incidents where title = 'late one'`);
    }
    expect((await run('incident-notification')).status).toBe('pass');
  });

  it('says nothing of an incident still inside its 24 hours and not yet notified (the result is public)', async () => {
    const detected = new Date(time.clock().getTime() - 2 * 3_600_000);
    await superuser(sql`
      insert into incidents (tenant_id, title, detected_at)
      values (${tenant.tenant.id}, 'under investigation', ${detected})`);
    try {
      const row = await run('incident-notification');
      expect(row.status).toBe('pass');
      expect(row.facts).toMatchObject({ incidents: 0, late: 0 });
      expect(JSON.stringify(row)).not.toMatch(/within its|still|under investigation/);
    } finally {
      await superuser(sql`delete from incidents where title = 'under investigation'`);
    }
  });

  it('subprocessor notice fails for a change announced with too short notice', async () => {
    const announced = time.clock();
    const effective = new Date(announced.getTime() + 3 * DAY_MS).toISOString().slice(0, 10);
    await superuser(sql`
      insert into subprocessor_changes (tenant_id, kind, subprocessor_key, summary, effective_on, announced_at, state)
      values (${tenant.tenant.id}, 'remove', 'hoster', 'short notice', ${effective}, ${announced}, 'scheduled')`);
    try {
      const row = await run('subprocessor-notice');
      expect(row.status).toBe('fail');
      expect(row.facts).toMatchObject({ changes: 1, withFullNotice: 0, noticePeriodDays: 30 });
    } finally {
      await superuser(sql`delete from subprocessor_changes where summary = 'short notice'`);
    }
    expect((await run('subprocessor-notice')).summary).toContain('No subprocessor changes announced yet');
  });

  it('session limits fail when the idle timeout is longer than an hour', async () => {
    await app().services.settings.update(tenant.system, {
      sessionIdleMinutes: 120,
      sessionAbsoluteHours: 12,
      requireMfa: false,
    });
    try {
      const row = await run('session-limits');
      expect(row.status).toBe('fail');
      expect(row.facts).toMatchObject({ idleTimeoutMinutes: 120 });
    } finally {
      await app().services.settings.update(tenant.system, {
        sessionIdleMinutes: 30,
        sessionAbsoluteHours: 12,
        requireMfa: false,
      });
    }
  });

  it('session limits fail while a session opened under longer limits is still open, and the log keeps the old settings', async () => {
    const settings = (sessionAbsoluteHours: number) =>
      app().services.settings.update(tenant.system, {
        sessionIdleMinutes: 30,
        sessionAbsoluteHours,
        requireMfa: false,
      });
    const [user] = resultRows<{ id: string }>(
      await superuser(sql`insert into users (email) values ('long-session@evidence.example') returning id`),
    );
    await settings(720);
    const sessionId = await withTenant(app().db, tenant.tenant.id, async (tx) => {
      const created = await insertSession(tx, time.clock, {
        tenantId: tenant.tenant.id,
        userId: user?.id ?? '',
        info: { client: null, userAgent: null },
      });
      return created.sessionId;
    });
    await settings(12);
    try {
      const [event] = await withTenant(app().db, tenant.tenant.id, (tx) =>
        tx
          .select()
          .from(auditEvents)
          .where(sql`${auditEvents.action} = 'settings.updated'`)
          .orderBy(sql`seq desc`)
          .limit(1),
      );
      expect(event?.details).toMatchObject({
        sessionAbsoluteHours: 12,
        before: { sessionAbsoluteHours: 720, sessionIdleMinutes: 30 },
      });
      const row = await run('session-limits');
      expect(row.status).toBe('fail');
      expect(row.facts).toMatchObject({ absoluteLifetimeHours: 12, openSessionsBeyondSettings: 1 });
      expect(row.summary).toContain('1 open session was started under longer limits');
    } finally {
      await superuser(sql`update sessions set revoked_at = now() where id = ${sessionId}`);
    }
    const after = await run('session-limits');
    expect(after.status).toBe('pass');
    expect(after.facts).toMatchObject({ openSessionsBeyondSettings: 0 });
  });

  it('the audit log keeps the notice period a change of the notification settings replaced', async () => {
    const update = (noticePeriodDays: number) =>
      app().services.notificationSettings.update(tenant.system, {
        noticePeriodDays,
        senderName: '',
        replyTo: null,
      });
    await update(45);
    try {
      const [event] = await withTenant(app().db, tenant.tenant.id, (tx) =>
        tx
          .select()
          .from(auditEvents)
          .where(sql`${auditEvents.action} = 'notification_settings.updated'`)
          .orderBy(sql`seq desc`)
          .limit(1),
      );
      expect(event?.details).toMatchObject({ noticePeriodDays: 45, before: { noticePeriodDays: 30 } });
    } finally {
      await update(30);
    }
  });

  it('a check that throws is recorded as an error with a generic summary, never the error text', async () => {
    const failing = serviceWith({
      ...Object.fromEntries(
        evidenceCheckKeys.map((key) => [key, async () => ({ status: 'pass', summary: 'ok', facts: {} })]),
      ),
      retention: async () => {
        throw new Error('secret-detail password=hunter2');
      },
    } as never);
    const report = await failing.runForTenant(tenant.tenant.id, ['retention']);
    expect(report.errors).toEqual(['retention']);
    const row = await run('data-portability').then(() =>
      withTenant(app().db, tenant.tenant.id, (tx) =>
        tx.select().from(evidenceResults).where(sql`${evidenceResults.checkKey} = 'retention'`),
      ),
    );
    expect(row[0]?.status).toBe('error');
    expect(row[0]?.summary).not.toContain('secret-detail');
    expect(row[0]?.summary).toBe('The check could not run; it is tried again on the next run.');
  });

  it('refuses "run now" for 30 seconds after a run ends, however long the run took', async () => {
    // A check that takes 40 seconds on the clock: a window counted from the start would be over.
    const slow = serviceWith(
      Object.fromEntries(
        evidenceCheckKeys.map((key) => [
          key,
          async () => {
            time.advance(40_000 / evidenceCheckKeys.length);
            return { status: 'pass', summary: 'ok', facts: {} };
          },
        ]),
      ) as never,
    );
    const owner = systemContext(tenant.tenant.id, 'evidence-test');
    expect((await slow.runNow(owner)).items).toHaveLength(evidenceCheckKeys.length);
    await expect(slow.runNow(owner)).rejects.toMatchObject({ code: 'rate.limited' });
    time.advance(29_000);
    await expect(slow.runNow(owner)).rejects.toMatchObject({ code: 'rate.limited' });
    time.advance(2_000);
    expect((await slow.runNow(owner)).items).toHaveLength(evidenceCheckKeys.length);
  });

  it('the scheduler runs the checks in use every 15 minutes and stores their results', async () => {
    const scheduler = createScheduler({
      db: app().db,
      services: app().services,
      limiter: createFormRateLimiter({ db: app().db, clock: time.clock }),
      dispatch: () => {},
      clock: time.clock,
      logger: createLogger('silent'),
    });
    const first = await scheduler.tick();
    expect(first.evidence).toBe(evidenceCheckKeys.length);
    time.advance(60_000);
    expect((await scheduler.tick()).evidence).toBeNull();
    time.advance(15 * 60_000);
    expect((await scheduler.tick()).evidence).toBe(evidenceCheckKeys.length);
    const rows = await withTenant(app().db, tenant.tenant.id, (tx) => tx.select().from(evidenceResults));
    expect(rows.every((row) => row.checkedAt.getTime() === time.clock().getTime())).toBe(true);
    expect(
      rows.every((row) =>
        row.checkKey === 'container-runtime'
          ? row.status === checkContainerRuntime().status
          : INSTALLATION_CHECKS.has(row.checkKey)
            ? row.status === 'fail'
            : row.status === 'pass',
      ),
    ).toBe(true);
  });
});
