import { and, asc, count, eq, gt, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import { hashSecret, randomSecret } from '../../platform/crypto/tokens.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { withPlatform } from '../../platform/db/tenancy.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { type PageQuery, pageQuery, pageResult } from '../../platform/http/api-route.js';
import { auditLog } from '../audit/audit.service.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import { acceptInvitationInput, changeRoleInput, inviteInput, type Member } from './accounts.contract.js';
import { invitations, memberships, users } from './accounts.schema.js';
import { revokeAccessInTenant } from './revocation.js';
import { assertHoldsRole, permissionsOfRole } from './role-permissions.js';
import type { UsersService } from './users.service.js';
import './accounts.errors.js';

const INVITATION_DAYS = 7;

/** A role the actor may hand out: it must exist and grant nothing the actor does not hold. */
async function grantableRole(tx: Tx, ctx: ServiceContext, role: string): Promise<void> {
  const granted = await permissionsOfRole(tx, role);
  if (!granted) throw new AppError('role.not_found');
  if (!ctx.holdsAll(granted)) throw new AppError('auth.forbidden');
}

async function ownerCount(tx: Tx): Promise<number> {
  const rows = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(eq(memberships.role, 'owner'));
  return rows.length;
}

/**
 * The people of a tenant: who is a member with which role, invitations, role changes and
 * removals. Nobody grants more than they hold, nobody changes, removes or un-invites someone who
 * holds a right they lack (so only owners touch owners), the last owner cannot leave, and a removal or demotion ends the person's sessions (and, on removal, API keys) at once.
 */
export function createMembersService({
  db,
  clock,
  users: usersService,
  tenants,
}: {
  db: Database;
  clock: Clock;
  users: UsersService;
  tenants: TenantsService;
}) {
  const run = tenantTransaction({
    db,
    clock,
    audit: auditLog,
    errors: { codes: { '23505': 'content.key_taken', '23503': 'content.not_found' } },
  });

  async function memberRow(tx: Tx, userId: string) {
    const [row] = await tx
      .select()
      .from(memberships)
      .where(eq(memberships.userId, z.uuid().parse(userId)))
      .limit(1);
    if (!row) throw new AppError('member.not_found');
    return row;
  }

  type MemberRow = {
    userId: string;
    role: string;
    joinedAt: Date;
    email: string;
    totpEnabledAt: Date | null;
    disabledAt: Date | null;
  };
  const toMember = (row: MemberRow): Member => ({
    userId: row.userId,
    email: row.email,
    role: row.role,
    mfaEnabled: row.totpEnabledAt !== null,
    disabled: row.disabledAt !== null,
    joinedAt: row.joinedAt.toISOString(),
  });
  const memberColumns = {
    userId: memberships.userId,
    role: memberships.role,
    joinedAt: memberships.createdAt,
    email: users.email,
    totpEnabledAt: users.totpEnabledAt,
    disabledAt: users.disabledAt,
  };

  return {
    /** One page of the members by e-mail address, read in SQL. */
    async listPage(ctx: ServiceContext, input: Partial<PageQuery> = {}) {
      ctx.require('members:read');
      const query = pageQuery.parse(input);
      return run(ctx, async (tx) => {
        const [counted] = await tx.select({ total: count() }).from(memberships);
        const rows = await tx
          .select(memberColumns)
          .from(memberships)
          .innerJoin(users, eq(users.id, memberships.userId))
          .orderBy(asc(users.email))
          .limit(query.limit)
          .offset(query.offset);
        return pageResult(rows.map(toMember), Number(counted?.total ?? 0), query);
      });
    },

    /** One page of the invitations, oldest first, read in SQL. */
    async listInvitationsPage(ctx: ServiceContext, input: Partial<PageQuery> = {}) {
      ctx.require('members:read');
      const query = pageQuery.parse(input);
      return run(ctx, async (tx) => {
        const [counted] = await tx.select({ total: count() }).from(invitations);
        const rows = await tx
          .select()
          .from(invitations)
          .orderBy(asc(invitations.createdAt), asc(invitations.id))
          .limit(query.limit)
          .offset(query.offset);
        return pageResult(rows.map(toInvitation), Number(counted?.total ?? 0), query);
      });
    },

    /** Every member (for the service's own callers, such as who decides access requests). */
    async list(ctx: ServiceContext): Promise<Member[]> {
      ctx.require('members:read');
      return run(ctx, async (tx) => {
        const rows = await tx
          .select(memberColumns)
          .from(memberships)
          .innerJoin(users, eq(users.id, memberships.userId))
          .orderBy(asc(users.email));
        return rows.map(toMember);
      });
    },

    /** Adds an existing or new user directly (operator CLI, first owner). */
    async add(
      ctx: ServiceContext,
      input: { email: string; role: string; password?: string },
    ): Promise<{ userId: string; created: boolean }> {
      ctx.require('members:manage');
      await run(ctx, (tx) => grantableRole(tx, ctx, input.role));
      const { user, created } = await usersService.ensureUser(input);
      await run(ctx, async (tx, audit) => {
        await grantableRole(tx, ctx, input.role);
        const inserted = await tx
          .insert(memberships)
          .values({ tenantId: ctx.tenantId, userId: user.id, role: input.role })
          .onConflictDoNothing()
          .returning({ userId: memberships.userId });
        if (inserted.length === 0) throw new AppError('member.exists');
        await audit.record('member.joined', { type: 'user', id: user.id }, { role: input.role });
      });
      return { userId: user.id, created };
    },

    async changeRole(
      ctx: ServiceContext,
      userId: string,
      input: z.input<typeof changeRoleInput>,
    ): Promise<void> {
      ctx.require('members:manage');
      const { role } = changeRoleInput.parse(input);
      await run(ctx, async (tx, audit) => {
        const current = await memberRow(tx, userId);
        await assertHoldsRole(tx, ctx, current.role);
        await grantableRole(tx, ctx, role);
        if (current.role === 'owner' && !ctx.can('tenant:own')) throw new AppError('auth.forbidden');
        if (current.role === 'owner' && role !== 'owner' && (await ownerCount(tx)) <= 1) {
          throw new AppError('member.last_owner');
        }
        if (current.role === role) return;
        await tx
          .update(memberships)
          .set({ role, updatedAt: clock() })
          .where(eq(memberships.userId, current.userId));
        // A privilege change ends the person's sessions: the next sign-in gets a new session id.
        const revoked = await revokeAccessInTenant(tx, current.userId, clock, { keepApiKeys: true });
        await audit.record(
          'member.role_changed',
          { type: 'user', id: current.userId },
          { from: current.role, to: role, sessionsEnded: revoked.sessions },
        );
      });
    },

    async remove(ctx: ServiceContext, userId: string): Promise<void> {
      ctx.require('members:manage');
      await run(ctx, async (tx, audit) => {
        const current = await memberRow(tx, userId);
        await assertHoldsRole(tx, ctx, current.role);
        if (current.role === 'owner') {
          if (!ctx.can('tenant:own')) throw new AppError('auth.forbidden');
          if ((await ownerCount(tx)) <= 1) throw new AppError('member.last_owner');
        }
        const revoked = await revokeAccessInTenant(tx, current.userId, clock);
        await tx.delete(memberships).where(eq(memberships.userId, current.userId));
        await audit.record(
          'member.removed',
          { type: 'user', id: current.userId },
          { role: current.role, sessionsEnded: revoked.sessions, apiKeysRevoked: revoked.apiKeys },
        );
      });
    },

    /** Creates an invitation; the single-use token is returned once, for the e-mail to carry. */
    async invite(ctx: ServiceContext, input: z.input<typeof inviteInput>) {
      ctx.require('members:manage');
      const parsed = inviteInput.parse(input);
      const token = randomSecret();
      const expiresAt = new Date(clock().getTime() + INVITATION_DAYS * 86_400_000);
      const row = await run(ctx, async (tx, audit) => {
        await grantableRole(tx, ctx, parsed.role);
        const [created] = await tx
          .insert(invitations)
          .values({
            tenantId: ctx.tenantId,
            email: parsed.email,
            role: parsed.role,
            tokenHash: hashSecret(token),
            invitedBy: ctx.actor.kind === 'user' ? ctx.actor.id : null,
            expiresAt,
          })
          .returning();
        if (!created) throw new Error('invitation insert returned no row');
        await audit.record('member.invited', { type: 'invitation', id: created.id }, { role: parsed.role });
        return created;
      });
      return { invitation: toInvitation(row), token };
    },

    async listInvitations(ctx: ServiceContext) {
      ctx.require('members:read');
      return run(ctx, async (tx) =>
        (await tx.select().from(invitations).orderBy(asc(invitations.createdAt))).map(toInvitation),
      );
    },

    async revokeInvitation(ctx: ServiceContext, id: string): Promise<void> {
      ctx.require('members:manage');
      await run(ctx, async (tx) => {
        const [invite] = await tx
          .select({ id: invitations.id, role: invitations.role })
          .from(invitations)
          .where(and(eq(invitations.id, z.uuid().parse(id)), isNull(invitations.acceptedAt)))
          .limit(1)
          .for('update');
        if (!invite) throw new AppError('member.not_found');
        await assertHoldsRole(tx, ctx, invite.role);
        await tx.update(invitations).set({ revokedAt: clock() }).where(eq(invitations.id, invite.id));
      });
    },

    /**
     * Accepting an invitation (no session yet: the token is the credential). A new person sets a
     * password; an existing user keeps theirs. The token works once and only before it expires.
     */
    async acceptInvitation(
      input: z.input<typeof acceptInvitationInput>,
    ): Promise<{ userId: string; tenantId: string }> {
      const parsed = acceptInvitationInput.parse(input);
      const tenant = await tenants.findBySlug(parsed.tenant);
      if (!tenant) throw new AppError('auth.invitation_invalid');
      // A closing trust center is read-only: it gains no members.
      if (tenant.status !== 'active') throw new AppError('tenant.read_only');
      const tokenHash = hashSecret(parsed.token);
      const invite = await run({ tenantId: tenant.id }, async (tx) => {
        const [row] = await tx
          .select()
          .from(invitations)
          .where(
            and(
              eq(invitations.tokenHash, tokenHash),
              isNull(invitations.acceptedAt),
              isNull(invitations.revokedAt),
              gt(invitations.expiresAt, clock()),
            ),
          )
          .limit(1);
        return row;
      });
      if (!invite) throw new AppError('auth.invitation_invalid');
      const existing = await withPlatform(db, async (tx) => {
        const [row] = await tx
          .select({ id: users.id })
          .from(users)
          .where(eq(users.email, invite.email))
          .limit(1);
        return row;
      });
      const { user } = existing
        ? { user: existing }
        : await usersService.ensureUser({
            email: invite.email,
            ...(parsed.password ? { password: parsed.password } : {}),
          });
      const joined = { tenantId: tenant.id, actor: { kind: 'user' as const, id: user.id } };
      await run(joined, async (tx, audit) => {
        // Claim the invitation first: of two concurrent acceptances only one updates the row.
        const claimed = await tx
          .update(invitations)
          .set({ acceptedAt: clock() })
          .where(and(eq(invitations.id, invite.id), isNull(invitations.acceptedAt)))
          .returning({ id: invitations.id });
        if (claimed.length === 0) throw new AppError('auth.invitation_invalid');
        await tx
          .insert(memberships)
          .values({ tenantId: tenant.id, userId: user.id, role: invite.role })
          .onConflictDoNothing();
        await audit.record('member.joined', { type: 'invitation', id: invite.id }, { role: invite.role });
      });
      return { userId: user.id, tenantId: tenant.id };
    },
  };
}

function toInvitation(row: typeof invitations.$inferSelect) {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    expiresAt: row.expiresAt.toISOString(),
    acceptedAt: row.acceptedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export type MembersService = ReturnType<typeof createMembersService>;
