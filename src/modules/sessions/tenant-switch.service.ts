import { and, eq, isNull } from 'drizzle-orm';
import type { z } from 'zod';
import type { Clock } from '../../platform/clock.js';
import { hashSecret } from '../../platform/crypto/tokens.js';
import type { Database } from '../../platform/db/client.js';
import { withPlatform } from '../../platform/db/tenancy.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import type { FormRateLimiter } from '../../platform/http/form-rate-limit.js';
import { activeMemberRole, roleDisplayName, tenantIdsOfMember } from '../accounts/account-lookups.service.js';
import { auditLog } from '../audit/audit.service.js';
import { type TenantsService, tenantsAmong } from '../tenants/tenants.service.js';
import { switchInput, type TrustCenterView } from './sessions.contract.js';
import { sessions } from './sessions.schema.js';
import { type ActiveSession, type ClientInfo, insertSession } from './sessions.service.js';
import './sessions.errors.js';

/** Switching is a click, not a search: a person needs a handful an hour, a prober many. */
const SWITCH_LIMIT = { limit: 30, windowMs: 10 * 60_000 };
/** More memberships than anyone switches between by hand; keeps the listing bounded. */
const MAX_LISTED = 200;
/** The statuses a trust center is served in (as tenants.findBySlug): never a suspended one. */
const SERVED = ['active', 'closing'] as const;

/**
 * Moving a signed-in person from one trust center to another they belong to, without a new
 * sign-in: the current session ends and a new one starts in the target, with the target's own
 * limits, but never past the end of the sign-in it continues. Each tenant's audit log records its
 * half, and neither names the other tenant.
 */
export function createTenantSwitchService({
  db,
  clock,
  tenants,
  limiter,
}: {
  db: Database;
  clock: Clock;
  tenants: TenantsService;
  limiter: FormRateLimiter;
}) {
  const run = tenantTransaction({ db, clock, audit: auditLog });

  return {
    /** The served trust centers the session's person is an active member of; the current one marked. */
    async list(current: ActiveSession): Promise<TrustCenterView[]> {
      // The platform role sees which tenants a user belongs to (memberships' ids only) and the
      // tenants table; the role itself is read under each tenant's own RLS below.
      const candidates = await withPlatform(db, async (tx) =>
        tenantsAmong(tx, await tenantIdsOfMember(tx, current.userId), SERVED, MAX_LISTED),
      );
      const listed: TrustCenterView[] = [];
      for (const tenant of candidates) {
        const role = await run({ tenantId: tenant.id }, async (tx) => {
          const membership = await activeMemberRole(tx, current.userId);
          return membership
            ? { key: membership.role, name: await roleDisplayName(tx, membership.role) }
            : null;
        });
        if (!role) continue;
        listed.push({
          slug: tenant.slug,
          name: tenant.name,
          role: role.key,
          roleName: role.name,
          current: tenant.id === current.tenantId,
        });
      }
      return listed;
    },

    /**
     * Ends `current` and starts a session in the trust center `input.tenant`. Null when that is
     * the current one (nothing to do). An unknown, suspended or foreign trust center gets one
     * answer, and the current session stays as it was.
     */
    async switchTo(
      current: ActiveSession,
      input: z.input<typeof switchInput>,
      info: ClientInfo,
    ): Promise<{ cookie: string; absoluteExpiresAt: Date } | null> {
      const { tenant: slug } = switchInput.parse(input);
      await limiter.consume([{ key: `switch:${hashSecret(current.userId).slice(0, 40)}`, ...SWITCH_LIMIT }]);
      const actor = { kind: 'user', id: current.userId } as const;
      const target = await tenants.findBySlug(slug);
      if (target?.id === current.tenantId) return null;
      const member = target
        ? await run({ tenantId: target.id }, (tx) => activeMemberRole(tx, current.userId))
        : null;
      if (!target || !member) {
        // Recorded where the person is; what they typed may name another tenant, so it stays out.
        await run({ tenantId: current.tenantId, actor, client: info.client }, (_tx, audit) =>
          audit.record('auth.switch_refused'),
        );
        throw new AppError('auth.trust_center_unavailable');
      }

      // The current session ends first: one that ended meanwhile (signed out elsewhere) cannot
      // be continued, and a failure after this point leaves the person signed out, not signed in twice.
      const ended = await run(
        { tenantId: current.tenantId, actor, client: info.client },
        async (tx, audit) => {
          const rows = await tx
            .update(sessions)
            .set({ revokedAt: clock() })
            .where(and(eq(sessions.id, current.sessionId), isNull(sessions.revokedAt)))
            .returning({ id: sessions.id });
          if (rows.length === 0) return false;
          await audit.record('auth.switched_out', { type: 'session', id: current.sessionId });
          return true;
        },
      );
      if (!ended) throw new AppError('auth.session_expired');

      return run({ tenantId: target.id, actor, client: info.client }, async (tx, audit) => {
        // Checked again in the transaction that creates the session: removal may have happened since.
        if (!(await activeMemberRole(tx, current.userId)))
          throw new AppError('auth.trust_center_unavailable');
        const created = await insertSession(tx, clock, {
          tenantId: target.id,
          userId: current.userId,
          info,
          notAfter: current.expiresAt,
        });
        await audit.record(
          'auth.switched_in',
          { type: 'session', id: created.sessionId },
          { factor: 'switch' },
        );
        return { cookie: created.cookie, absoluteExpiresAt: created.absoluteExpiresAt };
      });
    },
  };
}

export type TenantSwitchService = ReturnType<typeof createTenantSwitchService>;
