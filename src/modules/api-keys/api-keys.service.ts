import { and, count, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { isPermission, type Permission, ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import { hashSecret, randomSecret } from '../../platform/crypto/tokens.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { literal, tenantStatement } from '../../platform/db/tenancy.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { type PageQuery, pageQuery, pageResult } from '../../platform/http/api-route.js';
import { membershipOf } from '../accounts/account-lookups.service.js';
import { assertHoldsAll, permissionsOfRole } from '../accounts/roles.service.js';
import { auditLog } from '../audit/audit.service.js';
import { type ApiKeyView, createApiKeyInput, rotateApiKeyInput } from './api-keys.contract.js';
import { apiKeys } from './api-keys.schema.js';
import './api-keys.errors.js';

/**
 * Key format: `attest_<tenant id, 32 hex>_<43 base64url secret>`. The fixed `attest_` prefix lets
 * secret scanners recognise a leaked key; the tenant part tells the server where to look it up.
 */
const KEY_PATTERN = /^attest_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
const LAST_USED_RESOLUTION_MS = 60_000;

export function isApiKeyToken(token: string): boolean {
  return token.startsWith('attest_');
}

function tenantIdFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

type ApiKeyRow = typeof apiKeys.$inferSelect;

function toView(row: ApiKeyRow, now: Date): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    rotatedFrom: row.rotatedFrom,
    status: row.revokedAt ? 'revoked' : row.expiresAt <= now ? 'expired' : 'active',
  };
}

/**
 * API keys: scoped (never beyond what the creator holds), expiring (90 days by default, a year at
 * most), shown once, stored as a SHA-256, rotated with an overlap window, revoked at once. A key
 * acts with its scopes intersected with its creator's current permissions, so demoting a person
 * narrows their keys too, and removing them revokes the keys.
 */
export function createApiKeysService({ db, clock }: { db: Database; clock: Clock }) {
  const run = tenantTransaction({ db, clock, audit: auditLog });

  async function insertKey(
    tx: Tx,
    ctx: ServiceContext,
    values: { name: string; scopes: Permission[]; expiresAt: Date; rotatedFrom?: string },
  ) {
    const secret = randomSecret();
    const token = `attest_${ctx.tenantId.replaceAll('-', '')}_${secret}`;
    const [row] = await tx
      .insert(apiKeys)
      .values({
        tenantId: ctx.tenantId,
        name: values.name,
        prefix: `attest_…${secret.slice(-4)}`,
        secretHash: hashSecret(secret),
        scopes: values.scopes,
        createdBy: ctx.onBehalfOf,
        createdAt: clock(),
        expiresAt: values.expiresAt,
        rotatedFrom: values.rotatedFrom ?? null,
      })
      .returning();
    if (!row) throw new Error('api key insert returned no row');
    return { row, token };
  }

  /**
   * What a key may really do: its scopes, narrowed to what its creator holds now (a key of a
   * removed person does nothing).
   */
  async function effectiveScopes(tx: Tx, row: ApiKeyRow): Promise<Permission[] | null> {
    const scopes = row.scopes.filter(isPermission);
    if (!row.createdBy) return scopes;
    const member = await membershipOf(tx, row.createdBy);
    if (!member) return null;
    const held = new Set(await permissionsOfRole(tx, member.role));
    return scopes.filter((scope) => held.has(scope));
  }

  async function keyRow(tx: Tx, id: string): Promise<ApiKeyRow> {
    const parsed = z.uuid().safeParse(id);
    if (!parsed.success) throw new AppError('api_key.not_found');
    const [row] = await tx.select().from(apiKeys).where(eq(apiKeys.id, parsed.data)).limit(1);
    if (!row) throw new AppError('api_key.not_found');
    return row;
  }

  return {
    async list(ctx: ServiceContext): Promise<ApiKeyView[]> {
      ctx.require('api_keys:read');
      const now = clock();
      return run(ctx, async (tx) =>
        (await tx.select().from(apiKeys).orderBy(desc(apiKeys.createdAt))).map((row) => toView(row, now)),
      );
    },

    /** One page of the keys, newest first, read in SQL. */
    async listPage(ctx: ServiceContext, input: Partial<PageQuery> = {}) {
      ctx.require('api_keys:read');
      const query = pageQuery.parse(input);
      const now = clock();
      return run(ctx, async (tx) => {
        const [counted] = await tx.select({ total: count() }).from(apiKeys);
        const rows = await tx
          .select()
          .from(apiKeys)
          .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
          .limit(query.limit)
          .offset(query.offset);
        return pageResult(
          rows.map((row) => toView(row, now)),
          Number(counted?.total ?? 0),
          query,
        );
      });
    },

    async create(ctx: ServiceContext, input: z.input<typeof createApiKeyInput>) {
      ctx.require('api_keys:manage');
      const parsed = createApiKeyInput.parse(input);
      if (!ctx.holdsAll(parsed.scopes)) throw new AppError('auth.forbidden');
      const expiresAt = new Date(clock().getTime() + parsed.expiresInDays * 86_400_000);
      return run(ctx, async (tx, audit) => {
        const { row, token } = await insertKey(tx, ctx, {
          name: parsed.name,
          scopes: parsed.scopes,
          expiresAt,
        });
        await audit.record(
          'api_key.created',
          { type: 'api_key', id: row.id },
          { scopes: parsed.scopes, expiresAt: expiresAt.toISOString() },
        );
        return { key: toView(row, clock()), secret: token };
      });
    },

    /**
     * Issues a successor with the same name and scopes; the old key keeps working for the overlap
     * window (so a deployment can switch) and then stops.
     */
    async rotate(ctx: ServiceContext, id: string, input: z.input<typeof rotateApiKeyInput> = {}) {
      ctx.require('api_keys:manage');
      const { overlapHours } = rotateApiKeyInput.parse(input);
      return run(ctx, async (tx, audit) => {
        const old = await keyRow(tx, id);
        const now = clock();
        if (old.revokedAt || old.expiresAt <= now) throw new AppError('api_key.not_found');
        // The successor carries the old key's scopes, so the caller must hold them all.
        const scopes = old.scopes.filter(isPermission);
        assertHoldsAll(ctx, scopes);
        const lifetime = old.expiresAt.getTime() - old.createdAt.getTime();
        const { row, token } = await insertKey(tx, ctx, {
          name: old.name,
          scopes,
          expiresAt: new Date(now.getTime() + lifetime),
          rotatedFrom: old.id,
        });
        const overlapEnd = new Date(
          Math.min(old.expiresAt.getTime(), now.getTime() + overlapHours * 3_600_000),
        );
        await tx.update(apiKeys).set({ expiresAt: overlapEnd }).where(eq(apiKeys.id, old.id));
        await audit.record(
          'api_key.rotated',
          { type: 'api_key', id: old.id },
          { successor: row.id, oldKeyExpiresAt: overlapEnd.toISOString() },
        );
        return { key: toView(row, now), secret: token };
      });
    },

    async revoke(ctx: ServiceContext, id: string): Promise<void> {
      ctx.require('api_keys:manage');
      await run(ctx, async (tx, audit) => {
        const row = await keyRow(tx, id);
        if (row.revokedAt) return;
        // A key that can do more than the caller is not theirs to take away.
        assertHoldsAll(ctx, (await effectiveScopes(tx, row)) ?? []);
        await tx.update(apiKeys).set({ revokedAt: clock() }).where(eq(apiKeys.id, row.id));
        await audit.record('api_key.revoked', { type: 'api_key', id: row.id });
      });
    },

    /**
     * The context a presented key acts with, or null for anything not a valid, live key. A key the
     * system created (provisioning, `attest`) is one statement: the lookup, in one round trip with
     * the tenant switch. A person's key also reads the person's membership and role, since the
     * key can never do more than its creator may now.
     */
    async authenticate(token: string, client: string | null): Promise<ServiceContext | null> {
      const match = KEY_PATTERN.exec(token);
      if (!match?.[1] || !match[2]) return null;
      const tenantId = tenantIdFromHex(match[1]);
      const secretHash = hashSecret(match[2]);
      const now = clock();
      const [found] = await tenantStatement<{
        id: string;
        scopes: string[];
        expires_at: Date | string;
        last_used_at: Date | string | null;
        created_by: string | null;
      }>(
        db,
        tenantId,
        `select id, scopes, expires_at, last_used_at, created_by from api_keys
         where secret_hash = ${literal(secretHash)} and revoked_at is null limit 1`,
      );
      if (!found || new Date(found.expires_at) <= now) return null;
      let scopes: Permission[] | null = found.scopes.filter(isPermission);
      if (found.created_by) {
        const createdBy = found.created_by;
        scopes = await run({ tenantId }, async (tx) => {
          const member = await membershipOf(tx, createdBy);
          if (!member) return null;
          const held = new Set(await permissionsOfRole(tx, member.role));
          return (scopes ?? []).filter((scope) => held.has(scope));
        });
      }
      if (!scopes) return null;
      const lastUsed = found.last_used_at === null ? null : new Date(found.last_used_at);
      if (!lastUsed || now.getTime() - lastUsed.getTime() > LAST_USED_RESOLUTION_MS) {
        await tenantStatement(
          db,
          tenantId,
          `update api_keys set last_used_at = ${literal(now.toISOString())}::timestamptz
           where id = ${literal(found.id)}::uuid`,
        );
      }
      return new ServiceContext(
        tenantId,
        { kind: 'api_key', id: found.id },
        scopes,
        client,
        found.created_by,
      );
    },
  };
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>;

/**
 * Revokes every key `userId` created that is still in force, in the caller's tenant transaction
 * (the person's access ends: accounts' revocation). Returns the keys revoked.
 */
export async function revokeKeysCreatedBy(tx: Tx, userId: string, now: Date): Promise<{ id: string }[]> {
  return tx
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.createdBy, userId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
}
