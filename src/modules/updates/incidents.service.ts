import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { translateDatabaseError } from '../../platform/db/errors.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { AppError } from '../../platform/errors.js';
import { appendAuditEvent } from '../audit/audit.service.js';
import { timeToNotify } from './time-to-notify.js';
import { type IncidentResponse, incidentInput, incidentPatch } from './updates.contract.js';
import { incidents } from './updates.schema.js';
import './updates.errors.js';

/** How long customers waited for an incident notice, for the evidence check that reports it. */
export { timeToNotify } from './time-to-notify.js';

type IncidentRow = typeof incidents.$inferSelect;

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
 * Incidents and the promise to notify customers within 24 hours of detection. Publishing an
 * incident post linked to an incident records the notification time; it can also be set by hand
 * (customers told another way).
 */
export function createIncidentsService({ db, clock }: { db: Database; clock: Clock }) {
  const run = <T>(ctx: ServiceContext, work: (tx: Tx) => Promise<T>) =>
    withTenant(db, ctx.tenantId, work).catch((error) =>
      translateDatabaseError(error, { '23514': 'incident.notified_before_detected' }),
    );

  function checkOrder(detectedAt: Date, later: (Date | null | undefined)[]) {
    if (later.some((moment) => moment && moment.getTime() < detectedAt.getTime())) {
      throw new AppError('incident.notified_before_detected');
    }
  }

  return {
    async list(ctx: ServiceContext): Promise<IncidentResponse[]> {
      ctx.require('content:read');
      const rows = await run(ctx, (tx) =>
        tx.select().from(incidents).orderBy(desc(incidents.detectedAt)).limit(500),
      );
      const now = clock();
      return rows.map((row) => toResponse(row, now));
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
      const customersNotifiedAt = asDate(parsed.customersNotifiedAt) ?? null;
      const resolvedAt = asDate(parsed.resolvedAt) ?? null;
      checkOrder(detectedAt, [customersNotifiedAt, resolvedAt]);
      const now = clock();
      const row = await run(ctx, async (tx) => {
        const [created] = await tx
          .insert(incidents)
          .values({
            tenantId: ctx.tenantId,
            title: parsed.title,
            detectedAt,
            customersNotifiedAt,
            resolvedAt,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        if (!created) throw new Error('incident insert returned no row');
        await appendAuditEvent(
          tx,
          ctx.tenantId,
          {
            actor: ctx.actor,
            client: ctx.client,
            action: 'incident.recorded',
            target: { type: 'incident', id: created.id },
          },
          now,
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
      const row = await run(ctx, async (tx) => {
        const [current] = await tx
          .select()
          .from(incidents)
          .where(eq(incidents.id, incidentId.data))
          .for('update');
        if (!current) throw new AppError('incident.not_found');
        const next = {
          title: parsed.title ?? current.title,
          detectedAt: asDate(parsed.detectedAt) ?? current.detectedAt,
          customersNotifiedAt:
            parsed.customersNotifiedAt === undefined
              ? current.customersNotifiedAt
              : asDate(parsed.customersNotifiedAt),
          resolvedAt: parsed.resolvedAt === undefined ? current.resolvedAt : asDate(parsed.resolvedAt),
        };
        checkOrder(next.detectedAt, [next.customersNotifiedAt, next.resolvedAt]);
        const [updated] = await tx
          .update(incidents)
          .set({ ...next, updatedAt: now })
          .where(eq(incidents.id, current.id))
          .returning();
        await appendAuditEvent(
          tx,
          ctx.tenantId,
          {
            actor: ctx.actor,
            client: ctx.client,
            action: 'incident.updated',
            target: { type: 'incident', id: current.id },
          },
          now,
        );
        return updated as IncidentRow;
      });
      return toResponse(row, now);
    },
  };
}

export type IncidentsService = ReturnType<typeof createIncidentsService>;
