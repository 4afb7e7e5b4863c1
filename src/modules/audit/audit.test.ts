import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { seedTenant } from '../../../test/support/fixtures.js';
import { type Actor, permissions, ServiceContext } from '../../platform/auth/context.js';
import type { Database } from '../../platform/db/client.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { AppError } from '../../platform/errors.js';
import { canonicalJson, eventHash, genesisHash } from './audit.chain.js';
import { type AuditAction, type AuditEvent, auditQuery } from './audit.contract.js';
import { csvCell, formatAuditExport } from './audit.export.js';
import { auditEvents } from './audit.schema.js';
import {
  type AuditEventInput,
  appendAuditEvent,
  createAuditService,
  verifyAuditChain,
} from './audit.service.js';

const admin: Actor = { kind: 'user', id: '7d3f6c1e-5b2a-4e8f-9c0d-1a2b3c4d5e6f' };
const robot: Actor = { kind: 'api_key', id: 'key_01' };

function pgCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function text(chunks: AsyncIterable<string>): Promise<string> {
  return (await collect(chunks)).join('');
}

describe.each(testDatabaseKinds)('audit log on $name', (kind) => {
  let db: Database;
  let a: Awaited<ReturnType<typeof seedTenant>>;
  let b: Awaited<ReturnType<typeof seedTenant>>;
  let audit: ReturnType<typeof createAuditService>;
  let tenantCount = 0;

  /** A fresh tenant with an empty log, for tests that need their own chain. */
  async function freshTenant(): Promise<string> {
    tenantCount += 1;
    const tenant = await a.services.tenants.create({ slug: `chain-${tenantCount}`, name: 'Chain' });
    return tenant.id;
  }

  function append(tenantId: string, action: AuditAction, event: Partial<AuditEventInput> = {}, now?: Date) {
    return withTenant(db, tenantId, (tx) =>
      appendAuditEvent(tx, tenantId, { action, actor: admin, ...event }, now),
    );
  }

  async function appendMany(tenantId: string, count: number): Promise<void> {
    for (let index = 1; index <= count; index += 1) {
      await append(tenantId, 'content.updated', { target: { type: 'control', id: `c${index}` } });
    }
  }

  /** Runs as the connecting superuser: outside withTenant, past RLS and the app role's grants. */
  function asSuperuser(statement: ReturnType<typeof sql>) {
    return db.orm.execute(statement);
  }

  beforeAll(async () => {
    db = await kind.create();
    a = await seedTenant(db, 'alpha', { publish: false });
    b = await seedTenant(db, 'bravo', { publish: false });
    audit = createAuditService({ db });
  });
  afterAll(async () => db?.close());

  it('chains events from the genesis hash and reads them back as written', async () => {
    const tenantId = await freshTenant();
    const when = new Date('2026-03-01T10:20:30.456Z');
    const details = { z: 1, a: { y: [3, 'two', null, { b: true, a: 0.1 }], x: 'Grüße ✓' }, m: -2.5e-7 };
    const first = await append(
      tenantId,
      'member.role_changed',
      { target: { type: 'membership', id: 'm1' }, client: '203.0.113.0', details },
      when,
    );
    expect(first).toEqual({
      seq: 1,
      occurredAt: '2026-03-01T10:20:30.456Z',
      actor: admin,
      action: 'member.role_changed',
      target: { type: 'membership', id: 'm1' },
      client: '203.0.113.0',
      details,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const second = await append(tenantId, 'auth.logout');
    const third = await append(tenantId, 'api_key.used_expired', { actor: robot });
    expect([second.seq, third.seq]).toEqual([2, 3]);
    expect(second.target).toBeNull();
    expect(second.details).toEqual({});

    const rows = await withTenant(db, tenantId, (tx) =>
      tx.select().from(auditEvents).orderBy(auditEvents.seq),
    );
    expect(rows.map((row) => row.prevHash)).toEqual([genesisHash, first.hash, second.hash]);
    expect(await verifyAuditChain(db, tenantId)).toEqual({ ok: true, events: 3 });
  });

  it('serialises concurrent appends: every one succeeds, seqs are 1..N and the chain holds', async () => {
    const tenantId = await freshTenant();
    const count = 20;
    const events = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        append(tenantId, 'session.revoked', { target: { type: 'session', id: `s${index}` } }),
      ),
    );
    expect(events.map((event) => event.seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: count }, (_, index) => index + 1),
    );
    expect(await verifyAuditChain(db, tenantId)).toEqual({ ok: true, events: count });
  });

  it('rolls back with the transaction whose change it records', async () => {
    const tenantId = await freshTenant();
    await expect(
      withTenant(db, tenantId, async (tx) => {
        await appendAuditEvent(tx, tenantId, { action: 'role.deleted', actor: admin });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const event = await append(tenantId, 'role.created');
    expect(event.seq).toBe(1);
    expect(await verifyAuditChain(db, tenantId)).toEqual({ ok: true, events: 1 });
  });

  it('verifies long chains page by page and exports them in seq order', async () => {
    const tenantId = await freshTenant();
    const count = 510; // more than one page of 500
    await withTenant(db, tenantId, async (tx) => {
      for (let index = 0; index < count; index += 1) {
        await appendAuditEvent(tx, tenantId, {
          action: 'content.imported',
          actor: robot,
          details: { index },
        });
      }
    });
    expect(await verifyAuditChain(db, tenantId)).toEqual({ ok: true, events: count });
    const ctx = new ServiceContext(tenantId, admin, ['audit:read']);
    const exported = await collect(audit.exportAll(ctx));
    expect(exported).toHaveLength(count);
    expect(exported.every((event, index) => event.seq === index + 1 && event.details.index === index)).toBe(
      true,
    );
    const filtered = await collect(audit.exportAll(ctx, { action: 'content.updated' }));
    expect(filtered).toHaveLength(0);
  });

  it('detects a tampered event as a hash mismatch at its seq', async () => {
    const tenantId = await freshTenant();
    await appendMany(tenantId, 5);
    await asSuperuser(
      sql`update audit_events set details = '{"x":1}' where tenant_id = ${tenantId} and seq = 3`,
    );
    expect(await verifyAuditChain(db, tenantId)).toEqual({
      ok: false,
      events: 2,
      brokenAt: 3,
      reason: 'hash_mismatch',
    });
  });

  it('detects a rewritten hash at the next event', async () => {
    const tenantId = await freshTenant();
    await appendMany(tenantId, 5);
    await asSuperuser(
      sql`update audit_events set hash = repeat('ab', 32) where tenant_id = ${tenantId} and seq = 3`,
    );
    // Event 3 itself no longer matches its content; rewriting it consistently would leave event 4.
    expect(await verifyAuditChain(db, tenantId)).toMatchObject({
      ok: false,
      brokenAt: 3,
      reason: 'hash_mismatch',
    });
    const [row3] = await withTenant(db, tenantId, (tx) =>
      tx.select().from(auditEvents).where(sql`${auditEvents.seq} = 3`),
    );
    const forged = eventHash(row3?.prevHash ?? '', {
      ...(row3 as typeof auditEvents.$inferSelect),
      actorId: 'x',
    });
    await asSuperuser(
      sql`update audit_events set actor_id = 'x', hash = ${forged} where tenant_id = ${tenantId} and seq = 3`,
    );
    expect(await verifyAuditChain(db, tenantId)).toEqual({
      ok: false,
      events: 3,
      brokenAt: 4,
      reason: 'prev_hash_mismatch',
    });
  });

  it('detects a deleted event as a sequence gap', async () => {
    const tenantId = await freshTenant();
    await appendMany(tenantId, 5);
    await asSuperuser(sql`delete from audit_events where tenant_id = ${tenantId} and seq = 3`);
    expect(await verifyAuditChain(db, tenantId)).toEqual({
      ok: false,
      events: 2,
      brokenAt: 3,
      reason: 'sequence_gap',
    });
  });

  it('the application role can neither change nor delete audit events', async () => {
    const tenantId = await freshTenant();
    await appendMany(tenantId, 2);
    const update = withTenant(db, tenantId, (tx) => tx.update(auditEvents).set({ details: { x: 1 } }));
    await expect(update).rejects.toThrow();
    expect(pgCode(await update.catch((error: unknown) => error))).toBe('42501');
    const remove = withTenant(db, tenantId, (tx) => tx.delete(auditEvents));
    await expect(remove).rejects.toThrow();
    expect(pgCode(await remove.catch((error: unknown) => error))).toBe('42501');
    // Nor write into another tenant's chain.
    await expect(
      withTenant(db, tenantId, (tx) =>
        appendAuditEvent(tx, b.tenant.id, { action: 'auth.logout', actor: admin }),
      ),
    ).rejects.toThrow();
    expect(await verifyAuditChain(db, tenantId)).toEqual({ ok: true, events: 2 });
  });

  it('refuses oversized details and what looks like personal data or secrets, storing nothing', async () => {
    const tenantId = await freshTenant();
    const refused: Record<string, unknown>[] = [
      { blob: 'x'.repeat(5000) },
      { invitee: 'jane.doe@example.com' },
      { nested: { password: 'hunter2' } },
      { apiToken: 'abc' },
      { bad: 'nul\u0000' },
    ];
    for (const details of refused) {
      await expect(append(tenantId, 'member.invited', { details })).rejects.toThrow(/audit details/);
    }
    await expect(append(tenantId, 'nope' as AuditAction)).rejects.toThrow();
    await expect(
      append(tenantId, 'auth.logout', { actor: { kind: 'user', id: 'u'.repeat(101) } }),
    ).rejects.toThrow();
    expect(await verifyAuditChain(db, tenantId)).toEqual({ ok: true, events: 0 });
  });

  describe('listing', () => {
    let tenantId: string;
    let ctx: ServiceContext;
    const base = Date.parse('2026-05-01T00:00:00.000Z');
    const hour = 3_600_000;

    beforeAll(async () => {
      tenantId = a.tenant.id;
      ctx = a.ctx;
      const plan: [AuditAction, Actor, string][] = [
        ['auth.login_succeeded', admin, 'session'],
        ['content.updated', admin, 'control'],
        ['content.updated', robot, 'faq'],
        ['content.published', robot, 'snapshot'],
        ['member.invited', admin, 'invitation'],
        ['content.updated', admin, 'control'],
      ];
      for (const [index, [action, actor, targetType]] of plan.entries()) {
        await append(
          tenantId,
          action,
          { actor, target: { type: targetType, id: `t${index + 1}` } },
          new Date(base + index * hour),
        );
      }
      await append(b.tenant.id, 'content.updated', { target: { type: 'control', id: 'bravo-only' } });
    });

    it('lists newest first and pages with the before cursor', async () => {
      const seen: number[] = [];
      let before: number | undefined;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await audit.list(ctx, auditQuery.parse({ limit: 4, before }));
        seen.push(...page.events.map((event) => event.seq));
        if (page.nextBefore === null) break;
        before = page.nextBefore;
      }
      expect(seen).toEqual([6, 5, 4, 3, 2, 1]);
      const last = await audit.list(ctx, auditQuery.parse({ before: 3 }));
      expect(last).toMatchObject({ events: [{ seq: 2 }, { seq: 1 }], nextBefore: null });
      const exact = await audit.list(ctx, auditQuery.parse({ limit: 6 }));
      expect(exact.nextBefore).toBeNull();
    });

    it('filters by action, actor, target type and time', async () => {
      const seqs = async (query: Record<string, unknown>) =>
        (await audit.list(ctx, auditQuery.parse(query))).events.map((event) => event.seq);
      expect(await seqs({ action: 'content.updated' })).toEqual([6, 3, 2]);
      expect(await seqs({ actorId: robot.id })).toEqual([4, 3]);
      expect(await seqs({ targetType: 'control' })).toEqual([6, 2]);
      expect(await seqs({ action: 'content.updated', actorId: admin.id, before: 6 })).toEqual([2]);
      expect(
        await seqs({
          from: new Date(base + hour).toISOString(),
          to: new Date(base + 3 * hour).toISOString(),
        }),
      ).toEqual([3, 2]);
      expect(await seqs({ from: '2026-05-01T04:00:00+00:00' })).toEqual([6, 5]);
      // The service holds to the contract even when a caller skipped it.
      await expect(audit.list(ctx, { limit: 10_000 })).rejects.toThrow();
      expect(() => audit.exportAll(ctx, { actorId: 'x'.repeat(10_000) })).toThrow();
    });

    it("never shows another tenant's events", async () => {
      const alpha = await audit.list(ctx, auditQuery.parse({ limit: 200 }));
      expect(alpha.events.some((event) => event.target?.id === 'bravo-only')).toBe(false);
      const bravo = await audit.list(b.ctx, auditQuery.parse({}));
      expect(bravo.events.map((event) => event.target?.id)).toEqual(['bravo-only']);
      // Each tenant has its own chain, starting at 1.
      expect(bravo.events[0]?.seq).toBe(1);
      expect(await audit.verify(b.ctx)).toEqual({ ok: true, events: 1 });
      expect(await audit.verify(ctx)).toEqual({ ok: true, events: 6 });
    });

    it('requires audit:read for listing, exporting and verifying', async () => {
      const editor = new ServiceContext(
        tenantId,
        admin,
        permissions.filter((permission) => permission !== 'audit:read'),
      );
      const forbidden = { code: 'auth.forbidden' };
      await expect(audit.list(editor, auditQuery.parse({}))).rejects.toBeInstanceOf(AppError);
      await expect(audit.list(editor, auditQuery.parse({}))).rejects.toMatchObject(forbidden);
      expect(() => audit.exportAll(editor)).toThrow(AppError);
      await expect(audit.verify(editor)).rejects.toMatchObject(forbidden);
    });

    it('exports as JSON lines and as CSV', async () => {
      const jsonl = await text(formatAuditExport(audit.exportAll(ctx), 'jsonl'));
      const lines = jsonl.trimEnd().split('\n');
      expect(lines).toHaveLength(6);
      const parsed = lines.map((line) => JSON.parse(line) as AuditEvent);
      expect(parsed.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(parsed[0]).toEqual((await audit.list(ctx, auditQuery.parse({ before: 2 }))).events[0]);

      const csv = await text(formatAuditExport(audit.exportAll(ctx, { actorId: robot.id }), 'csv'));
      const rows = csv.split('\r\n');
      expect(rows[0]).toBe(
        '"seq","occurred_at","actor_kind","actor_id","action","target_type","target_id","client","details","hash"',
      );
      expect(rows).toHaveLength(4); // header, two events, and the empty string after the last CRLF
      expect(rows[1]).toMatch(
        /^"3","2026-05-01T02:00:00.000Z","api_key","key_01","content.updated","faq","t3","","\{\}","[0-9a-f]{64}"$/,
      );
    });
  });
});

describe('audit query contract', () => {
  it('rejects hostile values', () => {
    for (const hostile of [
      { limit: 10_000 },
      { limit: 0 },
      { limit: '1e3' },
      { limit: true },
      { action: 'drop table' },
      { action: "content.updated'; drop table audit_events; --" },
      { actorId: 'x'.repeat(10_000) },
      { actorId: 'line\nbreak' },
      { targetType: 't'.repeat(41) },
      { before: -1 },
      { before: 1.5 },
      { before: '1 or 1=1' },
      { before: null },
      { from: 'yesterday' },
      { from: '2026-05-02T00:00:00Z', to: '2026-05-01T00:00:00Z' },
    ]) {
      expect(auditQuery.safeParse(hostile).success, JSON.stringify(hostile).slice(0, 80)).toBe(false);
    }
  });

  it('accepts query-string values and fills the default limit', () => {
    expect(auditQuery.parse({})).toEqual({ limit: 50 });
    expect(auditQuery.parse({ limit: '20', before: '7', actorId: ' key_01 ' })).toEqual({
      limit: 20,
      before: 7,
      actorId: 'key_01',
    });
  });
});

describe('audit export format', () => {
  const event: AuditEvent = {
    seq: 9,
    occurredAt: '2026-05-01T00:00:00.000Z',
    actor: { kind: 'user', id: '@SUM(1+1)*cmd|" /C calc"!A0' },
    action: 'content.updated',
    target: { type: 'control', id: "=cmd|' /C calc'!A0" },
    client: '-2+3',
    details: { note: 'say "hi",\nthen\u2028go' },
    hash: 'f'.repeat(64),
  };

  it('neutralises spreadsheet formulas and quotes every cell', async () => {
    expect(csvCell("=cmd|' /C calc'!A0")).toBe(`"'=cmd|' /C calc'!A0"`);
    for (const start of ['+', '-', '@', '\t', '\r', '\uFF1D'])
      expect(csvCell(`${start}1`)).toBe(`"'${start}1"`);
    expect(csvCell('a "quoted", value')).toBe('"a ""quoted"", value"');
    expect(csvCell(null)).toBe('""');
    const csv = await text(formatAuditExport([event], 'csv'));
    expect(csv).toContain(`"'=cmd|' /C calc'!A0"`);
    expect(csv).toContain(`"'@SUM(1+1)*cmd|"" /C calc""!A0"`);
    expect(csv).toContain(`"'-2+3"`);
    expect(csv.split('\r\n')[1]?.startsWith('"9",')).toBe(true);
  });

  it('keeps one event per JSON line, also with exotic line breaks', async () => {
    const jsonl = await text(formatAuditExport([event, event], 'jsonl'));
    expect(jsonl.split(/\r\n|\n|\r|\u2028|\u2029/)).toHaveLength(3);
    expect(JSON.parse(jsonl.split('\n')[0] ?? '')).toEqual(event);
  });

  it('hashes details independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":1,"z":0}]},"b":1}',
    );
  });
});
