import { and, count, desc, eq, gte, isNotNull, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { type PageQuery, pageQuery, pageResult } from '../../platform/http/api-route.js';
import { auditLog } from '../audit/audit.service.js';
import { changedTimes, refuseFutureTimes } from './incident-times.js';
import { timeToNotify } from './time-to-notify.js';
import { type IncidentResponse, incidentInput, incidentPatch } from './updates.contract.js';
import { incidents, updatePosts } from './updates.schema.js';
import './updates.errors.js';

/** How long customers waited for an incident notice, for the evidence check that reports it. */
export { timeToNotify } from './time-to-notify.js';

type IncidentRow = typeof incidents.$inferSelect;

/**
 * Incidents detected or recorded since `since`, with when customers were notified: the
 * incident-notification check. Also by when it was recorded (set by the system): moving the
 * detection time back must not take a missed incident out of the count.
 */
export async function incidentsDetectedOrRecordedSince(
  tx: Tx,
  since: Date,
): Promise<{ detectedAt: Date; notifiedAt: Date | null }[]> {
  return tx
    .select({ detectedAt: incidents.detectedAt, notifiedAt: incidents.customersNotifiedAt })
    .from(incidents)
    .where(or(gte(incidents.detectedAt, since), gte(incidents.createdAt, since)));
}

function toResponse(row: IncidentRow, now: Date): IncidentResponse {
  return {
    id: row.id,
    title: row.title,
    detectedAt: row.detectedAt.toISOString(),
    customersNotifiedAt: row.customersNotifiedAt?.toISOString() ?? null,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    timeToNotify: timeToNotify(row.detectedAt, row.customersNotifiedAt, now),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const asDate = (value: string | null | undefined) =>
  value === undefined ? undefined : value === null ? null : new Date(value);

/**
 * Incidents and the promise to notify customers within 24 hours of detection. When customers were
 * notified is recorded by the system only, when the notice of a published incident update linked
 * to the incident has gone out (recordIncidentNotifiedIn): it feeds public evidence, so an editor
 * cannot set it. Editors may move the detection time earlier (that only makes the record stricter),
 * never later, and no time may lie in the future; every change is audited with before and after.
 */
export function createIncidentsService({ db, clock }: { db: Database; clock: Clock }) {
  const run = tenantTransaction({
    db,
    clock,
    audit: auditLog,
    errors: {
      codes: {
        '23505': 'content.key_taken',
        '23503': 'content.not_found',
        '23514': 'incident.notified_before_detected',
      },
    },
  });

  function checkOrder(detectedAt: Date, later: (Date | null | undefined)[]) {
    if (later.some((moment) => moment && moment.getTime() < detectedAt.getTime())) {
      throw new AppError('incident.notified_before_detected');
    }
  }

  return {
    /** One page of the incidents, most recently detected first, read in SQL. */
    async list(ctx: ServiceContext, input: Partial<PageQuery> = {}) {
      ctx.require('content:read');
      const query = pageQuery.parse(input);
      return run(ctx, async (tx) => {
        const [counted] = await tx.select({ total: count() }).from(incidents);
        const rows = await tx
          .select()
          .from(incidents)
          .orderBy(desc(incidents.detectedAt), desc(incidents.id))
          .limit(query.limit)
          .offset(query.offset);
        const now = clock();
        return pageResult(
          rows.map((row) => toResponse(row, now)),
          Number(counted?.total ?? 0),
          query,
        );
      });
    },

    async get(ctx: ServiceContext, id: string): Promise<IncidentResponse> {
      ctx.require('content:read');
      const parsed = z.uuid().safeParse(id);
      if (!parsed.success) throw new AppError('incident.not_found');
      const [row] = await run(ctx, (tx) =>
        tx.select().from(incidents).where(eq(incidents.id, parsed.data)).limit(1),
      );
      if (!row) throw new AppError('incident.not_found');
      return toResponse(row, clock());
    },

    async create(ctx: ServiceContext, input: z.input<typeof incidentInput>): Promise<IncidentResponse> {
      ctx.require('updates:write');
      const parsed = incidentInput.parse(input);
      const detectedAt = new Date(parsed.detectedAt);
      const resolvedAt = asDate(parsed.resolvedAt) ?? null;
      const now = clock();
      refuseFutureTimes([detectedAt, resolvedAt], now);
      checkOrder(detectedAt, [resolvedAt]);
      const row = await run(ctx, async (tx, audit) => {
        const [created] = await tx
          .insert(incidents)
          .values({
            tenantId: ctx.tenantId,
            title: parsed.title,
            detectedAt,
            resolvedAt,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        if (!created) throw new Error('incident insert returned no row');
        await audit.record(
          'incident.recorded',
          { type: 'incident', id: created.id },
          { detectedAt: detectedAt.toISOString(), resolvedAt: resolvedAt?.toISOString() ?? null },
        );
        return created;
      });
      return toResponse(row, now);
    },

    async update(
      ctx: ServiceContext,
      id: string,
      input: z.input<typeof incidentPatch>,
    ): Promise<IncidentResponse> {
      ctx.require('updates:write');
      const parsed = incidentPatch.parse(input);
      const incidentId = z.uuid().safeParse(id);
      if (!incidentId.success) throw new AppError('incident.not_found');
      const now = clock();
      const row = await run(ctx, async (tx, audit) => {
        const [current] = await tx
          .select()
          .from(incidents)
          .where(eq(incidents.id, incidentId.data))
          .for('update');
        if (!current) throw new AppError('incident.not_found');
        const next = {
          title: parsed.title ?? current.title,
          detectedAt: asDate(parsed.detectedAt) ?? current.detectedAt,
          customersNotifiedAt: current.customersNotifiedAt,
          resolvedAt:
            parsed.resolvedAt === undefined ? current.resolvedAt : (asDate(parsed.resolvedAt) ?? null),
        };
        refuseFutureTimes([next.detectedAt, next.resolvedAt], now);
        // A later detection would shorten the measured time to notify (and could turn a missed or
        // overdue incident into a met one); an earlier one only makes the record stricter.
        if (next.detectedAt.getTime() > current.detectedAt.getTime()) {
          throw new AppError('incident.detection_moved_later');
        }
        checkOrder(next.detectedAt, [next.customersNotifiedAt, next.resolvedAt]);
        const [updated] = await tx
          .update(incidents)
          .set({ ...next, updatedAt: now })
          .where(eq(incidents.id, current.id))
          .returning();
        // Titles are free text (they could hold anything): the log says only that one changed.
        await audit.record(
          'incident.updated',
          { type: 'incident', id: current.id },
          {
            ...changedTimes(current, next),
            ...(next.title !== current.title ? { titleChanged: true } : {}),
          },
        );
        return updated as IncidentRow;
      });
      return toResponse(row, now);
    },
  };
}

/**
 * Called in the transaction that marks a notice sent (the worker's fan-out has put every
 * subscriber's mail in the outbox): when the notice is that of a published incident update linked
 * to an incident, records that customers were notified now, unless an earlier notice already did.
 * Idempotent, so a fan-out that runs twice changes nothing the second time.
 */
export async function recordIncidentNotifiedIn(
  tx: Tx,
  tenantId: string,
  notice: { id: string; topic: string; updateId: string | null },
  sentAt: Date,
): Promise<void> {
  if (notice.topic !== 'incidents' || !notice.updateId) return;
  const [post] = await tx
    .select({ incidentId: updatePosts.incidentId })
    .from(updatePosts)
    .where(
      and(
        eq(updatePosts.id, notice.updateId),
        eq(updatePosts.kind, 'incident'),
        isNotNull(updatePosts.publishedAt),
      ),
    )
    .limit(1);
  if (!post?.incidentId) return;
  const [updated] = await tx
    .update(incidents)
    .set({
      // Never before detection: the check constraint holds notification after detection.
      customersNotifiedAt: sql`greatest(${incidents.detectedAt}, ${sentAt.toISOString()}::timestamptz)`,
      updatedAt: sentAt,
    })
    .where(and(eq(incidents.id, post.incidentId), isNull(incidents.customersNotifiedAt)))
    .returning({ id: incidents.id, customersNotifiedAt: incidents.customersNotifiedAt });
  if (!updated) return;
  // No request here (the notice-sent transaction of the fan-out): the same writer as every
  // service's audit.record, with the system as the actor and no client, at the time it was sent.
  await auditLog(
    tx,
    tenantId,
    {
      action: 'incident.customers_notified',
      actor: { kind: 'system', id: 'fan-out' },
      target: { type: 'incident', id: updated.id },
      client: null,
      details: {
        noticeId: notice.id,
        customersNotifiedAt: { before: null, after: updated.customersNotifiedAt?.toISOString() ?? null },
      },
    },
    sentAt,
  );
}

export type IncidentsService = ReturnType<typeof createIncidentsService>;
