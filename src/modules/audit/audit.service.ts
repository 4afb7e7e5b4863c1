import { and, asc, count, desc, eq, gt, gte, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { Actor, ServiceContext } from '../../platform/auth/context.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { type AuditWriter, tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { eventHash, genesisHash } from './audit.chain.js';
import {
  type AuditAction,
  type AuditEvent,
  type AuditFilter,
  type AuditPage,
  type AuditQueryInput,
  type AuditVerification,
  auditAction,
  auditFilter,
  auditQuery,
} from './audit.contract.js';
import { normalizeDetails } from './audit.details.js';
import { auditEvents } from './audit.schema.js';

/** Rows read per round trip when exporting or verifying, so memory stays flat for any log size. */
const pageSize = 500;

/** Second argument of hashtextextended: keeps the audit lock apart from other per-tenant locks. */
const auditLockSeed = 7341;

/**
 * What a caller records. Technical ids only: NEVER an e-mail address, a person's name, a token, a
 * password, a key or any other secret, in `details` or anywhere else. The log is append-only and
 * hash-chained, so nothing written here can be removed again. `normalizeDetails` refuses the obvious
 * cases (suspicious keys, e-mail-shaped values); the rest is the caller's duty.
 */
export interface AuditEventInput {
  action: AuditAction;
  actor: Actor;
  target?: { type: string; id: string } | null;
  /** The client's truncated address (ServiceContext.client); longer values are cut to 64 characters. */
  client?: string | null;
  details?: Record<string, unknown>;
}

type AuditRow = typeof auditEvents.$inferSelect;

function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    seq: row.seq,
    occurredAt: row.occurredAt.toISOString(),
    actor: { kind: row.actorKind as Actor['kind'], id: row.actorId },
    action: row.action,
    target:
      row.targetType !== null && row.targetId !== null ? { type: row.targetType, id: row.targetId } : null,
    client: row.client,
    details: row.details,
    hash: row.hash,
  };
}

function checkBounded(value: string, max: number, what: string): string {
  if (value.length === 0 || value.length > max) throw new Error(`audit ${what} must be 1..${max} characters`);
  return value;
}

/**
 * Appends one event to the tenant's chain inside the caller's tenant transaction, so the event
 * commits or rolls back with the change it records. Call it late in the transaction: the per-tenant
 * lock it takes is held until commit, and serialises every audited write of the tenant.
 * Needs READ COMMITTED (withTenant's default): the read after the lock must see the last commit.
 */
export async function appendAuditEvent(
  tx: Tx,
  tenantId: string,
  event: AuditEventInput,
  now: Date = new Date(),
): Promise<AuditEvent> {
  // A bad action is the caller's bug, not bad input: a plain Error (500), not a ZodError (400).
  if (!auditAction.safeParse(event.action).success) throw new Error(`unknown audit action: ${event.action}`);
  const action = event.action;
  const actorKind = checkBounded(event.actor.kind, 20, 'actor kind');
  const actorId = checkBounded(event.actor.id, 100, 'actor id');
  const targetType = event.target ? checkBounded(event.target.type, 40, 'target type') : null;
  const targetId = event.target ? checkBounded(event.target.id, 100, 'target id') : null;
  const client = event.client ? event.client.slice(0, 64) : null;
  const details = normalizeDetails(event.details);
  if (Number.isNaN(now.getTime())) throw new Error('audit time is not a valid date');
  const occurredAt = new Date(now.getTime()); // a copy: what is hashed is what is stored

  // Concurrent appends of one tenant would read the same last event and fork the chain.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${tenantId}, ${auditLockSeed}))`);
  const [last] = await tx
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .where(eq(auditEvents.tenantId, tenantId))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? genesisHash;
  const fields = {
    tenantId,
    seq,
    occurredAt,
    actorKind,
    actorId,
    action,
    targetType,
    targetId,
    client,
    details,
  };
  const hash = eventHash(prevHash, fields);
  const [row] = await tx
    .insert(auditEvents)
    .values({ ...fields, prevHash, hash })
    .returning();
  if (!row) throw new Error('audit event was not stored');
  return toAuditEvent(row);
}

/**
 * How many `action` events each of `targetIds` has had since `since`, in the caller's tenant
 * transaction: a rate limit counted from the audit log keeps no address of its own.
 */
export async function countEventsByTarget(
  tx: Tx,
  action: AuditAction,
  targetIds: readonly string[],
  since: Date,
): Promise<{ targetId: string | null; count: number }[]> {
  return tx
    .select({ targetId: auditEvents.targetId, count: count() })
    .from(auditEvents)
    .where(
      and(
        gt(auditEvents.occurredAt, since),
        eq(auditEvents.action, action),
        inArray(auditEvents.targetId, [...targetIds]),
      ),
    )
    .groupBy(auditEvents.targetId);
}

/** The audit hook for tenantTransaction: what `audit.record(...)` in every service appends with. */
export const auditLog: AuditWriter<AuditAction> = (tx, tenantId, entry, at) =>
  appendAuditEvent(tx, tenantId, entry, at);

function filterConditions(tenantId: string, filter: AuditFilter): SQL[] {
  const conditions: SQL[] = [eq(auditEvents.tenantId, tenantId)];
  if (filter.action) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.actorId) conditions.push(eq(auditEvents.actorId, filter.actorId));
  if (filter.targetType) conditions.push(eq(auditEvents.targetType, filter.targetType));
  if (filter.from) conditions.push(gte(auditEvents.occurredAt, new Date(filter.from)));
  if (filter.to) conditions.push(lt(auditEvents.occurredAt, new Date(filter.to)));
  return conditions;
}

/**
 * Walks the tenant's chain in seq order, a page at a time, and reports the first event that does
 * not hold: a seq that is missing (`brokenAt` is the missing seq), a `prev_hash` that is not the
 * previous event's hash, or a hash that does not match the event's content. `events` counts the
 * events found intact before the break.
 *
 * What it cannot see: events removed from the end of the chain, or a chain rewritten from some
 * point on by someone who can write the table directly; only an anchor kept elsewhere (a signed
 * head hash) would show those.
 */
export async function verifyAuditChain(db: Database, tenantId: string): Promise<AuditVerification> {
  return withTenant(db, tenantId, async (tx) => {
    let expectedSeq = 1;
    let prevHash = genesisHash;
    for (;;) {
      const rows = await tx
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.tenantId, tenantId), gt(auditEvents.seq, expectedSeq - 1)))
        .orderBy(asc(auditEvents.seq))
        .limit(pageSize);
      for (const row of rows) {
        const events = expectedSeq - 1;
        if (row.seq !== expectedSeq) {
          return { ok: false, events, brokenAt: expectedSeq, reason: 'sequence_gap' };
        }
        if (row.prevHash !== prevHash) {
          return { ok: false, events, brokenAt: row.seq, reason: 'prev_hash_mismatch' };
        }
        if (eventHash(row.prevHash, row) !== row.hash) {
          return { ok: false, events, brokenAt: row.seq, reason: 'hash_mismatch' };
        }
        prevHash = row.hash;
        expectedSeq += 1;
      }
      if (rows.length < pageSize) return { ok: true, events: expectedSeq - 1 };
    }
  });
}

/** Reading the audit log: listing, exporting and verifying, all behind audit:read. */
export function createAuditService({ db }: { db: Database }) {
  // Reads only: the one tenant transaction, for its error translation; nothing here is audited.
  const run = tenantTransaction({ db });

  async function* exportPages(tenantId: string, filter: AuditFilter): AsyncGenerator<AuditEvent> {
    let after = 0;
    for (;;) {
      // One short transaction per page: an export of any size holds no connection for long.
      const rows = await run({ tenantId }, (tx) =>
        tx
          .select()
          .from(auditEvents)
          .where(and(...filterConditions(tenantId, filter), gt(auditEvents.seq, after)))
          .orderBy(asc(auditEvents.seq))
          .limit(pageSize),
      );
      for (const row of rows) yield toAuditEvent(row);
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) return;
      after = last.seq;
    }
  }

  return {
    /** One page, newest first. Pass `nextBefore` back as `before` for the next, older page. */
    async list(ctx: ServiceContext, input: AuditQueryInput): Promise<AuditPage> {
      ctx.require('audit:read');
      // Parsed again (cheap, idempotent) so a caller that skipped the contract cannot ask for 10⁶ rows.
      const query = auditQuery.parse(input);
      const conditions = filterConditions(ctx.tenantId, query);
      if (query.before !== undefined) conditions.push(lt(auditEvents.seq, query.before));
      const rows = await run(ctx, (tx) =>
        tx
          .select()
          .from(auditEvents)
          .where(and(...conditions))
          .orderBy(desc(auditEvents.seq))
          .limit(query.limit + 1),
      );
      const events = rows.slice(0, query.limit).map(toAuditEvent);
      const more = rows.length > query.limit;
      return { events, nextBefore: more ? (events.at(-1)?.seq ?? null) : null };
    },

    /**
     * Every matching event, oldest first, read in pages of 500 as the caller consumes them. The
     * permission is checked now, not on the first read.
     */
    exportAll(ctx: ServiceContext, filter: AuditFilter = {}): AsyncIterable<AuditEvent> {
      ctx.require('audit:read');
      return exportPages(ctx.tenantId, auditFilter.parse(filter));
    },

    async verify(ctx: ServiceContext): Promise<AuditVerification> {
      ctx.require('audit:read');
      return verifyAuditChain(db, ctx.tenantId);
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
