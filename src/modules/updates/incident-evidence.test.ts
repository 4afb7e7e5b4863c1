import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/support/app.js';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { systemContext } from '../../platform/auth/context.js';
import { builtInRoles } from '../../platform/auth/roles.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { createLogger } from '../../platform/logging/logger.js';
import { createWorker, type Worker } from '../../worker/worker.js';
import { auditEvents } from '../audit/audit.schema.js';
import { evidenceResults } from '../evidence/evidence.schema.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The time customers were notified feeds the public incident-notification evidence: only the
 * system sets it (when a linked incident update's notice has gone out), editors cannot forge it,
 * no incident time may lie in the future, and every change is audited with before and after.
 */
describe.each(testDatabaseKinds)('incident times that feed evidence on $name', (kind) => {
  const time = manualClock(new Date(Date.now() - 60_000));
  const holder = useTestApp(kind, { clock: time.clock });
  let tenantId = '';
  let worker: Worker | undefined;
  const ctx = () => systemContext(tenantId, 'incident-evidence-test');

  const bearer = async () =>
    `Bearer ${await holder.app.tokens.mint({
      subject: '00000000-0000-4000-8000-0000000000ab',
      tenantId,
      permissions: [...builtInRoles.editor.permissions],
    })}`;
  const send = async (method: 'POST' | 'PATCH', url: string, payload: object) =>
    holder.app.server.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: await bearer() },
      payload,
    });
  const hoursAgo = (hours: number) => new Date(time.clock().getTime() - hours * HOUR_MS).toISOString();
  async function evidence() {
    await holder.app.services.evidence.runForTenant(tenantId, ['incident-notification']);
    const [row] = await withTenant(holder.app.db, tenantId, (tx) =>
      tx.select().from(evidenceResults).where(eq(evidenceResults.checkKey, 'incident-notification')),
    );
    if (!row) throw new Error('no evidence result');
    return row;
  }
  const lastAudit = async (incidentId: string) => {
    const rows = await withTenant(holder.app.db, tenantId, (tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.targetType, 'incident'), eq(auditEvents.targetId, incidentId)))
        .orderBy(sql`${auditEvents.seq} desc`)
        .limit(1),
    );
    return rows[0];
  };

  beforeAll(async () => {
    tenantId = (await holder.app.services.tenants.create({ slug: 'incidents', name: 'Incidents' })).id;
    await holder.app.services.transfer.importDraft(systemContext(tenantId), sampleDocument('Incidents'), {
      publish: true,
    });
  });

  afterAll(async () => {
    await worker?.stop();
  });

  it('refuses a notification time sent by an editor, and the evidence stays "not met"', async () => {
    const created = await send('POST', '/incidents', { title: 'Never told', detectedAt: hoursAgo(30) });
    expect(created.statusCode, created.body).toBe(201);
    const incident = created.json() as { id: string; detectedAt: string; updatedAt: string };
    const forged = await send('PATCH', `/incidents/${incident.id}`, {
      customersNotifiedAt: new Date(Date.parse(incident.detectedAt) + HOUR_MS).toISOString(),
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.json()).toMatchObject({ error: { code: 'request.invalid' } });
    expect(forged.body).toContain('customersNotifiedAt');
    const onCreate = await send('POST', '/incidents', {
      title: 'Told, it says',
      detectedAt: hoursAgo(30),
      customersNotifiedAt: hoursAgo(29),
    });
    expect(onCreate.statusCode).toBe(400);

    const after = await holder.app.services.incidents.get(ctx(), incident.id);
    expect(after).toMatchObject({ customersNotifiedAt: null, updatedAt: incident.updatedAt });
    expect(after.timeToNotify.state).toBe('overdue');
    const row = await evidence();
    expect(row.status).toBe('fail');
    expect(row.facts).toMatchObject({ incidents: 1, notifiedInTime: 0, late: 1 });
  });

  it('refuses times in the future (beyond a small clock skew) with 400', async () => {
    const inAnHour = new Date(time.clock().getTime() + HOUR_MS).toISOString();
    const future = await send('POST', '/incidents', { title: 'Tomorrow', detectedAt: inAnHour });
    expect(future.statusCode).toBe(400);
    expect(future.json()).toMatchObject({ error: { code: 'incident.time_in_future' } });
    // A browser clock a minute fast is not refused.
    const skewed = new Date(time.clock().getTime() + 60_000).toISOString();
    const ok = await send('POST', '/incidents', { title: 'Just now', detectedAt: skewed });
    expect(ok.statusCode, ok.body).toBe(201);
    const { id } = ok.json() as { id: string };
    const resolvedLater = await send('PATCH', `/incidents/${id}`, { resolvedAt: inAnHour });
    expect(resolvedLater.statusCode).toBe(400);
    expect(resolvedLater.json()).toMatchObject({ error: { code: 'incident.time_in_future' } });
    expect((await holder.app.services.incidents.get(ctx(), id)).resolvedAt).toBeNull();
  });

  it('lets the detection time move earlier, never later, and audits every change with before and after', async () => {
    const detectedAt = hoursAgo(30);
    const { id } = (await send('POST', '/incidents', { title: 'Moved', detectedAt })).json() as {
      id: string;
    };
    expect((await lastAudit(id))?.details).toEqual({ detectedAt, resolvedAt: null });

    const later = await send('PATCH', `/incidents/${id}`, { detectedAt: hoursAgo(20) });
    expect(later.statusCode).toBe(422);
    expect(later.json()).toMatchObject({ error: { code: 'incident.detection_moved_later' } });
    expect((await holder.app.services.incidents.get(ctx(), id)).detectedAt).toBe(detectedAt);

    const earlier = hoursAgo(40);
    const resolvedAt = hoursAgo(1);
    const moved = await send('PATCH', `/incidents/${id}`, {
      title: 'Moved again',
      detectedAt: earlier,
      resolvedAt,
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const event = await lastAudit(id);
    expect(event?.action).toBe('incident.updated');
    expect(event?.details).toEqual({
      detectedAt: { before: detectedAt, after: earlier },
      resolvedAt: { before: null, after: resolvedAt },
      titleChanged: true,
    });

    // Moving detection out of the twelve months does not take the incident out of the evidence.
    const before = (await evidence()).facts as { incidents: number };
    const ancient = await send('PATCH', `/incidents/${id}`, {
      detectedAt: new Date(time.clock().getTime() - 400 * DAY_MS).toISOString(),
    });
    expect(ancient.statusCode, ancient.body).toBe(200);
    expect((await evidence()).facts).toMatchObject({ incidents: before.incidents });
  });

  it('records the notification time when the linked update has gone out, and the evidence follows', async () => {
    const created = await send('POST', '/incidents', { title: 'Real outage', detectedAt: hoursAgo(2) });
    const incident = created.json() as { id: string };
    const post = await holder.app.services.posts.create(ctx(), {
      kind: 'incident',
      title: 'Real outage',
      body: 'We are on it.',
      incidentId: incident.id,
    });
    // Publishing alone does not count: customers are notified when the notice has gone out.
    await holder.app.services.posts.publish(ctx(), post.id);
    expect((await holder.app.services.incidents.get(ctx(), incident.id)).customersNotifiedAt).toBeNull();

    worker = createWorker({
      db: holder.app.db,
      sealer: holder.sealer,
      services: holder.app.services,
      clock: time.clock,
      logger: createLogger('silent'),
      publicUrl: 'http://127.0.0.1:3000',
      mailer: undefined,
      pollingIntervalSeconds: 0.5,
      tickMs: 3_600_000,
    });
    holder.app.setNoticeDispatcher(worker.dispatch);
    await worker.start();
    time.advance(time.minutes(30));
    const sentAt = time.clock().toISOString();
    // The worker's first tick finds the pending notice and fans it out.
    await worker.tick();
    await until(
      async () => (await holder.app.services.incidents.get(ctx(), incident.id)).customersNotifiedAt !== null,
      'the incident to be notified',
    );
    const notified = await holder.app.services.incidents.get(ctx(), incident.id);
    expect(notified.customersNotifiedAt).toBe(sentAt);
    expect(notified.timeToNotify).toMatchObject({ state: 'met', minutes: 150 });
    const event = await lastAudit(incident.id);
    // The row as it always was: the fan-out as the system actor, no client, at the time it was sent.
    expect(event).toMatchObject({
      action: 'incident.customers_notified',
      actorKind: 'system',
      actorId: 'fan-out',
      targetType: 'incident',
      client: null,
    });
    expect(event?.occurredAt.toISOString()).toBe(sentAt);
    expect(event?.details).toMatchObject({ customersNotifiedAt: { before: null, after: sentAt } });
    const row = await evidence();
    expect(row.facts).toMatchObject({ notifiedInTime: 1 });
  });
});
