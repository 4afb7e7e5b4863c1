import { and, count, desc, eq } from 'drizzle-orm';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import { hashSecret, randomSecret } from '../../platform/crypto/tokens.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import type { PageQuery } from '../../platform/http/api-route.js';
import { auditLog } from '../audit/audit.service.js';
import { extendInput, type GrantOutput } from './access.contract.js';
import { accessGrants, visitorSessions } from './access.schema.js';
import './documents.errors.js';

type GrantRow = typeof accessGrants.$inferSelect;

const DAY_MS = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export function grantStatus(row: GrantRow, now: Date): GrantOutput['status'] {
  if (row.revokedAt) return 'revoked';
  return row.expiresAt.getTime() > now.getTime() ? 'active' : 'expired';
}

export function toGrant(row: GrantRow, now: Date): GrantOutput {
  return {
    id: row.id,
    requestId: row.requestId,
    email: row.email,
    company: row.company,
    documentIds: row.documentIds,
    status: grantStatus(row, now),
    expiresAt: row.expiresAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    linkUsedAt: row.linkUsedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** What a visitor's session may do: its grant, checked afresh on every request. */
export interface VisitorAccess {
  tenantId: string;
  grantId: string;
  email: string;
  company: string;
  documentIds: string[];
  expiresAt: Date;
}

/**
 * Inserts a grant for an approved request inside the caller's transaction. Returns the grant and
 * the secret of its single-use link (only its hash is stored).
 */
export async function issueGrant(
  tx: Tx,
  input: {
    tenantId: string;
    requestId: string;
    email: string;
    company: string;
    documentIds: string[];
    days: number;
    createdBy: string;
    now: Date;
  },
): Promise<{ grant: GrantRow; token: string }> {
  const token = randomSecret();
  const [grant] = await tx
    .insert(accessGrants)
    .values({
      tenantId: input.tenantId,
      requestId: input.requestId,
      email: input.email,
      company: input.company,
      documentIds: input.documentIds,
      linkTokenHash: hashSecret(token),
      expiresAt: new Date(input.now.getTime() + input.days * DAY_MS),
      createdBy: input.createdBy,
      createdAt: input.now,
    })
    .returning();
  if (!grant) throw new Error('grant insert returned no row');
  return { grant, token };
}

/** The cookie value of a visitor session: `<tenant id>.<secret>` (decision 0004: credentials carry their tenant). */
export function parseVisitorCookie(value: string | undefined): { tenantId: string; secret: string } | null {
  if (!value) return null;
  const [tenantId, secret, extra] = value.split('.');
  if (extra !== undefined || !tenantId || !secret || !UUID.test(tenantId) || !SECRET.test(secret))
    return null;
  return { tenantId, secret };
}

/**
 * Grants: staff list, extend and revoke them; a visitor opens one through its single-use link,
 * which starts a visitor session limited to the granted documents. The session has no life of its
 * own: every request checks that its grant still exists, is not revoked and has not expired.
 */
export function createGrantsService({ db, clock }: { db: Database; clock: Clock }) {
  const run = tenantTransaction({ db, clock, audit: auditLog });

  async function findGrant(tx: Tx, id: string, lock = false): Promise<GrantRow> {
    if (!UUID.test(id)) throw new AppError('grant.not_found');
    const query = tx.select().from(accessGrants).where(eq(accessGrants.id, id)).limit(1);
    const [row] = lock ? await query.for('update') : await query;
    if (!row) throw new AppError('grant.not_found');
    return row;
  }

  async function grantByLink(tx: Tx, token: string): Promise<GrantRow | null> {
    if (!SECRET.test(token)) return null;
    const [row] = await tx
      .select()
      .from(accessGrants)
      .where(eq(accessGrants.linkTokenHash, hashSecret(token)))
      .limit(1)
      .for('update');
    if (!row || row.linkUsedAt || grantStatus(row, clock()) !== 'active') return null;
    return row;
  }

  return {
    async list(ctx: ServiceContext, query: PageQuery) {
      ctx.require('access_requests:manage');
      return run(ctx, async (tx) => {
        const [counted] = await tx.select({ total: count() }).from(accessGrants);
        const rows = await tx
          .select()
          .from(accessGrants)
          .orderBy(desc(accessGrants.createdAt), desc(accessGrants.id))
          .limit(query.limit)
          .offset(query.offset);
        const total = Number(counted?.total ?? 0);
        const next = query.offset + rows.length;
        const now = clock();
        return {
          items: rows.map((row) => toGrant(row, now)),
          total,
          nextOffset: next < total ? next : null,
        };
      });
    },

    /** Moves the end to `days` after the later of now and the current end; a revoked grant stays revoked. */
    async extend(ctx: ServiceContext, id: string, input: { days: number }): Promise<GrantOutput> {
      ctx.require('access_requests:manage');
      const { days } = extendInput.parse(input);
      return run(ctx, async (tx, audit) => {
        const row = await findGrant(tx, id, true);
        if (row.revokedAt) throw new AppError('grant.ended');
        const now = clock();
        const from = Math.max(now.getTime(), row.expiresAt.getTime());
        const [updated] = await tx
          .update(accessGrants)
          .set({ expiresAt: new Date(from + days * DAY_MS) })
          .where(eq(accessGrants.id, id))
          .returning();
        if (!updated) throw new AppError('grant.not_found');
        await audit.record(
          'grant.extended',
          { type: 'access_grant', id },
          { days, expiresAt: updated.expiresAt.toISOString() },
        );
        return toGrant(updated, now);
      });
    },

    /** Ends the grant at once: its link, its sessions and every download URL stop working. */
    async revoke(ctx: ServiceContext, id: string): Promise<void> {
      ctx.require('access_requests:manage');
      await run(ctx, async (tx, audit) => {
        const row = await findGrant(tx, id, true);
        if (row.revokedAt) return;
        const now = clock();
        await tx.update(accessGrants).set({ revokedAt: now }).where(eq(accessGrants.id, id));
        await tx.delete(visitorSessions).where(eq(visitorSessions.grantId, id));
        await audit.record('grant.revoked', { type: 'access_grant', id });
      });
    },

    /** Whether a link would open (for the page that asks the visitor to confirm), without using it. */
    async linkIsValid(tenantId: string, token: string): Promise<boolean> {
      return run({ tenantId }, async (tx) => (await grantByLink(tx, token)) !== null);
    },

    /**
     * Uses a single-use link: marks it used and starts a visitor session. Returns the session's
     * cookie value; a used, expired, revoked or unknown link is `grant.link_invalid`.
     */
    async openLink(
      tenantId: string,
      token: string,
      client: string | null,
    ): Promise<{ cookie: string; expiresAt: Date }> {
      return run({ tenantId, client }, async (tx, audit) => {
        const grant = await grantByLink(tx, token);
        if (!grant) throw new AppError('grant.link_invalid');
        const now = clock();
        await tx.update(accessGrants).set({ linkUsedAt: now }).where(eq(accessGrants.id, grant.id));
        const secret = randomSecret();
        await tx.insert(visitorSessions).values({
          tenantId,
          grantId: grant.id,
          tokenHash: hashSecret(secret),
          createdAt: now,
          client,
        });
        await audit.record('grant.opened', { type: 'access_grant', id: grant.id }, undefined, {
          actor: { kind: 'visitor', id: grant.id },
        });
        return { cookie: `${tenantId}.${secret}`, expiresAt: grant.expiresAt };
      });
    },

    /** The access of a visitor session cookie for this tenant, or null (unknown, other tenant, ended). */
    async resolveVisitor(tenantId: string, cookie: string | undefined): Promise<VisitorAccess | null> {
      const parsed = parseVisitorCookie(cookie);
      if (!parsed || parsed.tenantId !== tenantId) return null;
      const [row] = await run({ tenantId }, (tx) =>
        tx
          .select({ grant: accessGrants })
          .from(visitorSessions)
          .innerJoin(
            accessGrants,
            and(
              eq(accessGrants.id, visitorSessions.grantId),
              eq(accessGrants.tenantId, visitorSessions.tenantId),
            ),
          )
          .where(eq(visitorSessions.tokenHash, hashSecret(parsed.secret)))
          .limit(1),
      );
      if (!row || grantStatus(row.grant, clock()) !== 'active') return null;
      return {
        tenantId,
        grantId: row.grant.id,
        email: row.grant.email,
        company: row.grant.company,
        documentIds: row.grant.documentIds,
        expiresAt: row.grant.expiresAt,
      };
    },

    /** Ends a visitor session (sign out). */
    async endVisitorSession(tenantId: string, cookie: string | undefined): Promise<void> {
      const parsed = parseVisitorCookie(cookie);
      if (!parsed || parsed.tenantId !== tenantId) return;
      await run({ tenantId }, (tx) =>
        tx.delete(visitorSessions).where(eq(visitorSessions.tokenHash, hashSecret(parsed.secret))),
      );
    },
  };
}

export type GrantsService = ReturnType<typeof createGrantsService>;
