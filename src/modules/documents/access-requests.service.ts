import { and, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { enqueueMail } from '../../platform/mail/outbox.js';
import { auditLog } from '../audit/audit.service.js';
import type { PublishedDocument, PublishedNda } from '../publishing/snapshot.contract.js';
import {
  type AccessRequestOutput,
  accessRequestForm,
  accessRequestQuery,
  type DecisionInput,
  decisionInput,
  type GrantOutput,
} from './access.contract.js';
import { approvalMail, staffNoticeMail, type TenantSender } from './access.mails.js';
import { accessRequests, ndaAcceptances, ndaTexts } from './access.schema.js';
import { domainMatches, readAccessRules } from './access-settings.service.js';
import { documents } from './documents.schema.js';
import { issueGrant, toGrant } from './grants.service.js';
import { tenantSender } from './tenant-sender.js';
import './documents.errors.js';

type RequestRow = typeof accessRequests.$inferSelect;
type AcceptanceRow = typeof ndaAcceptances.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toRequest(row: RequestRow, acceptance: AcceptanceRow | undefined): AccessRequestOutput {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    company: row.company,
    reason: row.reason,
    documentIds: row.documentIds,
    status: row.status,
    decisionSource: row.decisionSource,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    client: row.client,
    createdAt: row.createdAt.toISOString(),
    nda: acceptance
      ? {
          version: acceptance.ndaVersion,
          sha256: acceptance.ndaSha256,
          acceptedAt: acceptance.acceptedAt.toISOString(),
        }
      : null,
  };
}

/** What a visitor sees of the trust center when submitting: the published gated documents and NDA. */
export interface PublishedAccess {
  documents: readonly PublishedDocument[];
  nda: PublishedNda | undefined;
}

export interface AccessRequestsDeps {
  db: Database;
  clock: Clock;
  publicUrl: string;
  /** The addresses of the members who decide requests (access_requests:manage), read before the transaction. */
  staffRecipients: (tenantId: string) => Promise<string[]>;
  /** Called after a commit that queued mail: deliver it now rather than at the next poll. */
  mailQueued: () => void;
}

/**
 * Access requests for gated documents: a visitor submits one (accepting the NDA shown), the
 * tenant's rules decide it by e-mail domain or leave it to staff (who are e-mailed), and an
 * approval issues a grant and e-mails its single-use link. Mails go through the outbox in the
 * same transaction, so they are sent exactly when the decision commits.
 */
export function createAccessRequestsService({
  db,
  clock,
  publicUrl,
  staffRecipients,
  mailQueued,
}: AccessRequestsDeps) {
  const run = tenantTransaction({ db, clock, audit: auditLog });

  const senderOf = (tx: Tx): Promise<TenantSender> => tenantSender(tx, publicUrl);

  /** Grants the request inside `tx` and queues the mail with the link. */
  async function approveIn(
    tx: Tx,
    request: RequestRow,
    options: { days: number; documentIds: string[]; decidedBy: string; now: Date },
  ): Promise<GrantOutput> {
    const rows = await tx
      .select({ id: documents.id, title: documents.title })
      .from(documents)
      .where(inArray(documents.id, options.documentIds));
    const titles = new Map(rows.map((row) => [row.id, row.title]));
    const { grant, token } = await issueGrant(tx, {
      tenantId: request.tenantId,
      requestId: request.id,
      email: request.email,
      company: request.company,
      documentIds: options.documentIds,
      days: options.days,
      createdBy: options.decidedBy,
      now: options.now,
    });
    const sender = await senderOf(tx);
    await enqueueMail(
      tx,
      request.tenantId,
      approvalMail(sender, {
        email: request.email,
        expiresAt: grant.expiresAt,
        documentTitles: options.documentIds.map((id) => titles.get(id) ?? 'Document'),
        link: `${sender.siteUrl}/access/${token}`,
      }),
      options.now,
    );
    return toGrant(grant, options.now);
  }

  async function findRequest(tx: Tx, id: string): Promise<RequestRow> {
    if (!UUID.test(id)) throw new AppError('access_request.not_found');
    const [row] = await tx
      .select()
      .from(accessRequests)
      .where(eq(accessRequests.id, id))
      .limit(1)
      .for('update');
    if (!row) throw new AppError('access_request.not_found');
    return row;
  }

  return {
    /**
     * A visitor's request, from the public form (as posted: parsed here). The answer is the same whatever the rules decide,
     * so the page reveals nothing about them. Throws `access_request.invalid` (with the field) or
     * `access_request.nda_outdated`; nothing is stored then.
     */
    async submit(
      ctx: ServiceContext,
      published: PublishedAccess,
      input: unknown,
    ): Promise<{ requestId: string; status: RequestRow['status'] }> {
      ctx.require('published:read');
      const form = accessRequestForm.parse(input);
      const gated = published.documents.filter((document) => document.accessLevel === 'gated');
      const gatedIds = new Set(gated.map((document) => document.id));
      const wanted = form.documentId.length ? [...new Set(form.documentId)] : [...gatedIds];
      if (wanted.length === 0 || wanted.some((id) => !gatedIds.has(id))) {
        throw new AppError('access_request.invalid', [
          { path: 'documentId', message: 'Choose documents listed here.' },
        ]);
      }
      const nda = published.nda;
      if (nda) {
        if (form.ndaVersion !== undefined && form.ndaVersion !== nda.version) {
          throw new AppError('access_request.nda_outdated');
        }
        if (form.ndaAccepted !== 'yes' || form.ndaVersion === undefined) {
          throw new AppError('access_request.invalid', [
            { path: 'ndaAccepted', message: 'Accept the confidentiality agreement to continue.' },
          ]);
        }
      }
      const staff = await staffRecipients(ctx.tenantId);

      const result = await run(ctx, async (tx, audit) => {
        const now = clock();
        const rules = await readAccessRules(tx);
        const denied = domainMatches(form.email, rules.autoDenyDomains);
        const approved = !denied && domainMatches(form.email, rules.autoApproveDomains);
        const status: RequestRow['status'] = denied ? 'denied' : approved ? 'approved' : 'pending';
        const [request] = await tx
          .insert(accessRequests)
          .values({
            tenantId: ctx.tenantId,
            name: form.name,
            email: form.email,
            company: form.company,
            reason: form.reason,
            documentIds: wanted,
            status,
            decisionSource: status === 'pending' ? null : 'rule',
            decidedBy: status === 'pending' ? null : 'rule',
            decidedAt: status === 'pending' ? null : now,
            client: ctx.client,
            createdAt: now,
          })
          .returning();
        if (!request) throw new Error('access request insert returned no row');
        if (nda) {
          // The acceptance names the exact text: the stored version must be the one the page showed.
          const [text] = await tx.select().from(ndaTexts).where(eq(ndaTexts.version, nda.version)).limit(1);
          if (!text || text.sha256 !== nda.sha256) throw new AppError('access_request.nda_outdated');
          await tx.insert(ndaAcceptances).values({
            tenantId: ctx.tenantId,
            requestId: request.id,
            ndaTextId: text.id,
            ndaVersion: text.version,
            ndaSha256: text.sha256,
            name: form.name,
            email: form.email,
            company: form.company,
            client: ctx.client,
            acceptedAt: now,
          });
        }
        const visitor = { kind: 'visitor' as const, id: request.id };
        const target = { type: 'access_request', id: request.id };
        await audit.record(
          'access_request.submitted',
          target,
          { documents: wanted.length, ndaVersion: nda?.version ?? null },
          { actor: visitor },
        );
        if (approved) {
          const grant = await approveIn(tx, request, {
            days: rules.grantDays,
            documentIds: wanted,
            decidedBy: 'rule',
            now,
          });
          await audit.record(
            'access_request.approved',
            target,
            { rule: 'domain', grantId: grant.id },
            { actor: visitor },
          );
        } else if (denied) {
          await audit.record('access_request.denied', target, { rule: 'domain' }, { actor: visitor });
        } else {
          const sender = await senderOf(tx);
          for (const address of staff) {
            await enqueueMail(
              tx,
              ctx.tenantId,
              staffNoticeMail(
                sender,
                address,
                { ...form, documentCount: wanted.length },
                `${publicUrl}/admin/access-requests`,
              ),
              now,
            );
          }
        }
        return { requestId: request.id, status };
      });
      if (result.status !== 'denied') mailQueued();
      return result;
    },

    async list(
      ctx: ServiceContext,
      input: Partial<{ status: RequestRow['status']; limit: number; offset: number }>,
    ) {
      ctx.require('access_requests:manage');
      const query = accessRequestQuery.parse(input);
      return run(ctx, async (tx) => {
        const conditions: SQL[] = query.status ? [eq(accessRequests.status, query.status)] : [];
        const [counted] = await tx
          .select({ total: count() })
          .from(accessRequests)
          .where(and(...conditions));
        const rows = await tx
          .select()
          .from(accessRequests)
          .where(and(...conditions))
          .orderBy(desc(accessRequests.createdAt), desc(accessRequests.id))
          .limit(query.limit)
          .offset(query.offset);
        const acceptances = rows.length
          ? await tx
              .select()
              .from(ndaAcceptances)
              .where(
                inArray(
                  ndaAcceptances.requestId,
                  rows.map((row) => row.id),
                ),
              )
          : [];
        const byRequest = new Map(acceptances.map((acceptance) => [acceptance.requestId, acceptance]));
        const total = Number(counted?.total ?? 0);
        const next = query.offset + rows.length;
        return {
          items: rows.map((row) => toRequest(row, byRequest.get(row.id))),
          total,
          nextOffset: next < total ? next : null,
        };
      });
    },

    /** Staff approve (a grant and a mail with its link) or deny a pending request. */
    async decide(
      ctx: ServiceContext,
      id: string,
      input: DecisionInput,
    ): Promise<{ request: AccessRequestOutput; grant: GrantOutput | null }> {
      ctx.require('access_requests:manage');
      const decision = decisionInput.parse(input);
      const result = await run(ctx, async (tx, audit) => {
        const request = await findRequest(tx, id);
        if (request.status !== 'pending') throw new AppError('access_request.already_decided');
        const now = clock();
        const decidedBy = `${ctx.actor.kind}:${ctx.actor.id}`;
        const documentIds = decision.documentIds ?? request.documentIds;
        if (documentIds.some((documentId) => !request.documentIds.includes(documentId))) {
          throw new AppError('request.invalid', [
            { path: 'documentIds', message: 'Only documents that were requested.' },
          ]);
        }
        const status = decision.decision === 'approve' ? 'approved' : 'denied';
        const [updated] = await tx
          .update(accessRequests)
          .set({ status, decisionSource: 'staff', decidedBy, decidedAt: now })
          .where(eq(accessRequests.id, id))
          .returning();
        if (!updated) throw new AppError('access_request.not_found');
        const rules = await readAccessRules(tx);
        const grant =
          status === 'approved'
            ? await approveIn(tx, updated, {
                days: decision.days ?? rules.grantDays,
                documentIds: [...new Set(documentIds)],
                decidedBy,
                now,
              })
            : null;
        await audit.record(
          status === 'approved' ? 'access_request.approved' : 'access_request.denied',
          { type: 'access_request', id },
          grant ? { grantId: grant.id, days: decision.days ?? rules.grantDays } : {},
        );
        const [acceptance] = await tx.select().from(ndaAcceptances).where(eq(ndaAcceptances.requestId, id));
        return { request: toRequest(updated, acceptance), grant };
      });
      if (result.grant) mailQueued();
      return result;
    },
  };
}

export type AccessRequestsService = ReturnType<typeof createAccessRequestsService>;
