import { createHash } from 'node:crypto';
import { and, asc, eq, gte, isNull, lte, max, ne, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import { type Clock, systemClock } from '../../platform/clock.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { enqueueMail } from '../../platform/mail/outbox.js';
import { auditLog } from '../audit/audit.service.js';
import { documentReferences } from '../documents/document-references.service.js';
import type { PublishingService } from '../publishing/publishing.service.js';
import type { PublishedCertification } from '../publishing/snapshot.contract.js';
import { readOwnTenant } from '../tenants/tenants.service.js';
import {
  type CertificationInput,
  type CertificationOutput,
  type CertificationPatch,
  certificationInput,
  certificationPatch,
  REMINDER_DAYS_BEFORE,
} from './certifications.contract.js';
import { certifications } from './certifications.schema.js';
import './certifications.errors.js';

type Row = typeof certifications.$inferSelect;

function toOutput(row: Row, document: { title: string; sha256: string } | undefined): CertificationOutput {
  return {
    id: row.id,
    name: row.name,
    auditor: row.auditor,
    scope: row.scope,
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    documentId: row.documentId,
    documentTitle: document?.title ?? '',
    documentSha256: row.documentSha256,
    documentCurrent: document?.sha256 === row.documentSha256,
    reminderSentOn: row.reminderSentOn,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The report a certification is bound to: this tenant's document, with a file. */
async function requireReport(tx: Tx, documentId: string) {
  const report = (await documentReferences(tx, [documentId])).get(documentId);
  if (!report) throw new AppError('certification.document_not_found');
  return report;
}

/**
 * What certifications add to every snapshot: each one whose report is published (public or
 * gated), so a badge always has a report a visitor can get. Named even when empty: a republish
 * spreads these sections over the last snapshot (see documents/public-sections.ts).
 */
export async function readCertificationSection(
  tx: Tx,
): Promise<{ certifications?: PublishedCertification[] }> {
  const rows = await tx
    .select()
    .from(certifications)
    .orderBy(asc(certifications.position), asc(certifications.createdAt));
  const reports = await documentReferences(
    tx,
    rows.map((row) => row.documentId),
  );
  const published = rows
    .filter((row) => {
      const report = reports.get(row.documentId);
      return report && report.accessLevel !== 'private';
    })
    .map((row) => ({
      id: row.id,
      name: row.name,
      auditor: row.auditor,
      scope: row.scope,
      validFrom: row.validFrom,
      validUntil: row.validUntil,
      documentId: row.documentId,
      documentSha256: row.documentSha256,
    }));
  return { certifications: published.length ? published : undefined };
}

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export function reminderMail(
  tenantName: string,
  to: string,
  certification: { id: string; name: string; auditor: string; validUntil: string },
  daysLeft: number,
  consoleUrl: string,
) {
  const name = certification.name.replace(/\s+/g, ' ');
  return {
    to,
    fromName: `${tenantName.replace(/\s+/g, ' ')} Trust Center`.slice(0, 200),
    subject: `${name} expires on ${certification.validUntil}`.slice(0, 300),
    text: [
      `The certification "${name}" (audited by ${certification.auditor.replace(/\s+/g, ' ')}) is valid until ${certification.validUntil}, ${daysLeft === 1 ? 'one day' : `${daysLeft} days`} from today.`,
      '',
      'After that day the trust center shows its badge as expired. Upload the new report and update the certification before then:',
      consoleUrl,
    ].join('\n'),
    headers: { 'Auto-Submitted': 'auto-generated' },
    // One reminder per certification, end date and person, however many workers try. The address
    // goes in as a digest: the key is bounded (200) and an address may be up to 254 characters.
    dedupeKey: `certification-expiry:${certification.id}:${certification.validUntil}:${createHash('sha256').update(to).digest('hex').slice(0, 32)}`,
  };
}

/**
 * Certifications of the trust center (SOC 2 Type II, ISO 27001, …), each bound to the document that
 * proves it. A change republishes the latest snapshot with the certifications as they now are.
 */
export function createCertificationsService({
  db,
  clock = systemClock,
  publishing,
  publicUrl = 'http://127.0.0.1:3000',
  staffRecipients = async () => [],
  mailQueued = () => {},
}: {
  db: Database;
  clock?: Clock;
  publishing: Pick<PublishingService, 'republishIn' | 'notifyPublished'>;
  publicUrl?: string;
  /** Who is reminded of an expiry: the members who may change documents. */
  staffRecipients?: (tenantId: string) => Promise<string[]>;
  mailQueued?: () => void;
}) {
  const run = tenantTransaction({ db, clock, audit: auditLog });

  async function change<T>(
    ctx: ServiceContext,
    work: (tx: Tx, audit: Parameters<Parameters<typeof run>[1]>[1]) => Promise<T>,
  ): Promise<T> {
    const { result, published } = await run(
      ctx,
      async (tx, audit) => {
        const result = await work(tx, audit);
        return { result, published: await publishing.republishIn(tx, ctx) };
      },
      { retry: { attempts: 3, when: isUniqueViolation } },
    );
    if (published?.changed) publishing.notifyPublished(ctx.tenantId, published.version);
    return result;
  }

  async function outputs(tx: Tx, rows: Row[]): Promise<CertificationOutput[]> {
    const reports = await documentReferences(
      tx,
      rows.map((row) => row.documentId),
    );
    return rows.map((row) => toOutput(row, reports.get(row.documentId)));
  }

  async function findRow(tx: Tx, id: string, lock = false): Promise<Row> {
    if (!z.uuid().safeParse(id).success) throw new AppError('certification.not_found');
    const query = tx.select().from(certifications).where(eq(certifications.id, id)).limit(1);
    const [row] = lock ? await query.for('update') : await query;
    if (!row) throw new AppError('certification.not_found');
    return row;
  }

  return {
    async list(ctx: ServiceContext): Promise<CertificationOutput[]> {
      ctx.require('documents:read');
      return run(ctx, async (tx) =>
        outputs(
          tx,
          await tx
            .select()
            .from(certifications)
            .orderBy(asc(certifications.position), asc(certifications.createdAt)),
        ),
      );
    },

    async get(ctx: ServiceContext, id: string): Promise<CertificationOutput> {
      ctx.require('documents:read');
      return run(ctx, async (tx) => {
        const [output] = await outputs(tx, [await findRow(tx, id)]);
        if (!output) throw new AppError('certification.not_found');
        return output;
      });
    },

    /** No badge without a report: the document must exist in this trust center, with a file. */
    async create(ctx: ServiceContext, input: CertificationInput): Promise<CertificationOutput> {
      ctx.require('documents:write');
      const parsed = certificationInput.parse(input);
      return change(ctx, async (tx, audit) => {
        const report = await requireReport(tx, parsed.documentId);
        const [last] = await tx.select({ value: max(certifications.position) }).from(certifications);
        const now = clock();
        const [row] = await tx
          .insert(certifications)
          .values({
            ...parsed,
            tenantId: ctx.tenantId,
            documentSha256: report.sha256,
            position: (last?.value ?? -1) + 1,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        if (!row) throw new Error('certification insert returned no row');
        await audit.record(
          'certification.created',
          { type: 'certification', id: row.id },
          {
            documentId: row.documentId,
          },
        );
        return toOutput(row, report);
      });
    },

    /** A new documentId, or `rebind`, binds the report's current file (its SHA-256) again. */
    async update(
      ctx: ServiceContext,
      id: string,
      patch: CertificationPatch & { rebind?: boolean },
    ): Promise<CertificationOutput> {
      ctx.require('documents:write');
      const parsed = certificationPatch.parse(patch);
      return change(ctx, async (tx, audit) => {
        const before = await findRow(tx, id, true);
        const validFrom = parsed.validFrom ?? before.validFrom;
        const validUntil = parsed.validUntil ?? before.validUntil;
        if (validUntil < validFrom) {
          throw new AppError('request.invalid', [
            { path: 'validUntil', message: 'validUntil must not be before validFrom' },
          ]);
        }
        const documentId = parsed.documentId ?? before.documentId;
        const report = await requireReport(tx, documentId);
        const rebind = parsed.documentId !== undefined || patch.rebind === true;
        const [row] = await tx
          .update(certifications)
          .set({
            ...parsed,
            ...(rebind ? { documentSha256: report.sha256 } : {}),
            updatedAt: clock(),
          })
          .where(eq(certifications.id, before.id))
          .returning();
        if (!row) throw new AppError('certification.not_found');
        await audit.record(
          'certification.updated',
          { type: 'certification', id: row.id },
          { fields: Object.keys(parsed).sort() },
        );
        return toOutput(row, report);
      });
    },

    async remove(ctx: ServiceContext, id: string): Promise<void> {
      ctx.require('documents:write');
      await change(ctx, async (tx, audit) => {
        const row = await findRow(tx, id, true);
        await tx.delete(certifications).where(eq(certifications.id, row.id));
        await audit.record('certification.deleted', { type: 'certification', id: row.id }, {});
      });
    },

    /**
     * Mails staff once per certification and end date, 30 days before it: the row is marked in the
     * transaction that queues the mails, so with several workers one of them sends it (the other
     * finds it marked once the first commits), and the outbox's dedupe key holds even so.
     */
    async remindExpiring(tenantId: string): Promise<number> {
      const now = clock();
      const today = now.toISOString().slice(0, 10);
      const horizon = addDays(today, REMINDER_DAYS_BEFORE);
      const isDue = and(
        gte(certifications.validUntil, today),
        lte(certifications.validUntil, horizon),
        or(
          isNull(certifications.reminderSentOn),
          ne(certifications.reminderSentOn, certifications.validUntil),
        ),
      );
      const ctx = { tenantId };
      // Every tenant is asked hourly: most have nothing due, and then cost this one small read.
      const [anyDue] = await run(ctx, (tx) =>
        tx.select({ id: certifications.id }).from(certifications).where(isDue).limit(1),
      );
      if (!anyDue) return 0;
      const staff = await staffRecipients(tenantId);
      // Nobody to tell yet: the reminder stays due, for when someone is.
      if (staff.length === 0) return 0;
      const sent = await run(ctx, async (tx) => {
        const due = await tx
          .update(certifications)
          .set({ reminderSentOn: sql`${certifications.validUntil}` })
          .where(isDue)
          .returning();
        if (due.length === 0) return 0;
        const tenant = await readOwnTenant(tx);
        for (const certification of due) {
          const daysLeft = Math.round(
            (Date.parse(`${certification.validUntil}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) /
              86_400_000,
          );
          for (const address of staff) {
            await enqueueMail(
              tx,
              tenantId,
              reminderMail(
                tenant?.name ?? '',
                address,
                certification,
                daysLeft,
                `${publicUrl}/admin/certifications`,
              ),
              now,
            );
          }
        }
        return due.length;
      });
      if (sent > 0) mailQueued();
      return sent;
    },
  };
}

export type CertificationsService = ReturnType<typeof createCertificationsService>;
