import { and, count, desc, eq, gt, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Permission, ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import { verifyAgainstDummy, verifyPassword } from '../../platform/crypto/passwords.js';
import type { Sealer } from '../../platform/crypto/sealing.js';
import { hashSecret, randomSecret } from '../../platform/crypto/tokens.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { withPlatform } from '../../platform/db/tenancy.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { findUserByEmail, memberAccessOf, membershipOf } from '../accounts/account-lookups.service.js';
import type { MfaService } from '../accounts/mfa.service.js';
import { permissionsOfRole } from '../accounts/roles.service.js';
import { readSettings } from '../accounts/settings.service.js';
import { auditLog } from '../audit/audit.service.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import { createDeviceProofs } from './device-proof.js';
import { type LoginThrottle, ThrottledError, throttleKeys } from './login-throttle.js';
import { type LoginInput, loginInput, type SessionView } from './sessions.contract.js';
import { sessions } from './sessions.schema.js';
import './sessions.errors.js';

/** A refused sign-in that says when to come back (the BFF sets Retry-After from it). */
export { ThrottledError } from './login-throttle.js';
/** The retention rule of sessions (sessions.jobs.ts), for the checks that prove it is kept. */
export { sessionRetentionDays, sessionsEndedBefore } from './sessions.jobs.js';

import { sessionsEndedBefore } from './sessions.jobs.js';

/** Open sessions that keep longer limits than the settings now say, for the session-limits check. */
export { countOpenSessionsBeyond } from './sessions-beyond-limits.js';

/** Touching last_seen on every request would write on every read; once a minute is enough. */
const TOUCH_INTERVAL_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ClientInfo {
  /** Truncated address (see truncateAddress): never the full one. */
  client: string | null;
  userAgent: string | null;
  /** The browser's proof of earlier sign-ins (its device cookie), if it sent one. */
  deviceProof?: string | undefined;
}

/** A signed-in browser, as the BFF sees it on each request. */
export interface ActiveSession {
  sessionId: string;
  tenantId: string;
  userId: string;
  role: string;
  permissions: Permission[];
  mfaEnabled: boolean;
  mfaRequired: boolean;
  expiresAt: Date;
}

/**
 * The cookie's value: the tenant id (not secret: it tells the server where to look) and a 256-bit
 * random secret. The database keeps only the secret's SHA-256, so a database leak yields no sessions.
 */
export function formatSessionCookie(tenantId: string, secret: string): string {
  return `${tenantId}.${secret}`;
}

function parseSessionCookie(value: string | undefined): { tenantId: string; tokenHash: string } | null {
  if (!value || value.length > 200) return null;
  const [tenantId, secret, ...rest] = value.split('.');
  if (!tenantId || !secret || rest.length || !UUID.test(tenantId) || !/^[A-Za-z0-9_-]{43}$/.test(secret))
    return null;
  return { tenantId, tokenHash: hashSecret(secret) };
}

/**
 * Inserts a new session with the tenant's own idle and absolute limits (read under its RLS).
 * `notAfter` caps the absolute end: a session that continues an earlier sign-in (a switch between
 * trust centers) never outlives it.
 */
export async function insertSession(
  tx: Tx,
  clock: Clock,
  {
    tenantId,
    userId,
    info,
    notAfter,
  }: { tenantId: string; userId: string; info: ClientInfo; notAfter?: Date },
) {
  const settings = await readSettings(tx);
  const now = clock();
  const secret = randomSecret();
  const absoluteExpiresAt = new Date(
    Math.min(
      now.getTime() + settings.sessionAbsoluteHours * 3_600_000,
      notAfter?.getTime() ?? Number.POSITIVE_INFINITY,
    ),
  );
  const idleExpiresAt = new Date(
    Math.min(now.getTime() + settings.sessionIdleMinutes * 60_000, absoluteExpiresAt.getTime()),
  );
  const [row] = await tx
    .insert(sessions)
    .values({
      tenantId,
      userId,
      tokenHash: hashSecret(secret),
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt,
      absoluteExpiresAt,
      client: info.client,
      userAgent: info.userAgent?.slice(0, 200) ?? null,
    })
    .returning({ id: sessions.id });
  if (!row) throw new Error('session insert returned no row');
  return { sessionId: row.id, cookie: formatSessionCookie(tenantId, secret), absoluteExpiresAt };
}

/**
 * Revokes every open session of `userId` in the caller's tenant transaction (the person's access
 * ends: accounts' revocation). Returns the sessions ended.
 */
export async function revokeSessionsOf(tx: Tx, userId: string, now: Date): Promise<{ id: string }[]> {
  return tx
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
}

/** How many ended sessions the tenant still stores from before `before` (the retention check). */
export async function countSessionsEndedBefore(tx: Tx, before: Date): Promise<number> {
  const [ended] = await tx.select({ n: count() }).from(sessions).where(sessionsEndedBefore(before));
  return Number(ended?.n ?? 0);
}

/**
 * Sign-in and browser sessions for the BFF: password (argon2id) plus a TOTP code or recovery code
 * when the user has a second factor, throttling with growing delays, idle and absolute timeouts
 * from the tenant's settings, a fresh session id on every sign-in, listing and revoking sessions.
 */
export function createSessionsService({
  db,
  clock,
  sealer,
  tenants,
  throttle,
  mfa,
}: {
  db: Database;
  clock: Clock;
  sealer: Sealer;
  tenants: TenantsService;
  throttle: LoginThrottle;
  mfa: MfaService;
}) {
  const run = tenantTransaction({ db, clock, audit: auditLog });
  const devices = createDeviceProofs({ sealer, clock });
  return {
    /**
     * Signs in. `info.deviceProof` is what the browser kept from earlier sign-ins; the answer
     * carries the renewed proof to keep (device-proof.ts). While the account is locked by failures
     * the answer is 429 whatever was wrong, so the lock is no oracle for the password; only the
     * right password with a valid second factor, or a browser with a proof, get past it.
     */
    async login(input: z.input<typeof loginInput>, info: ClientInfo) {
      const parsed: LoginInput = loginInput.parse(input);
      const tenant = await tenants.findBySlug(parsed.tenant);
      const user = await withPlatform(db, (tx) => findUserByEmail(tx, parsed.email));
      const keys = throttleKeys(
        parsed.email,
        info.client,
        user ? devices.nonceFor(info.deviceProof, user.id) : null,
      );
      const admission = await throttle.admit(keys);
      // An unknown address costs the same argon2 work as a wrong password: same answer, similar time.
      const passwordOk = user?.passwordHash
        ? await verifyPassword(user.passwordHash, parsed.password)
        : await verifyAgainstDummy(parsed.password);
      const membership =
        passwordOk && user && tenant && !user.disabledAt
          ? await run({ tenantId: tenant.id }, (tx) => membershipOf(tx, user.id))
          : undefined;

      const fail = async (
        reason: string,
        code: 'auth.invalid_credentials' | 'auth.mfa_invalid' | 'auth.mfa_required',
      ) => {
        if (code !== 'auth.mfa_required') await throttle.recordFailure(keys);
        if (tenant) {
          const actor = { kind: 'user', id: membership && user ? user.id : 'unknown' } as const;
          await run({ tenantId: tenant.id, actor, client: info.client }, (_tx, audit) =>
            audit.record('auth.login_failed', null, {
              reason: admission.accountLocked ? `${reason}_while_locked` : reason,
            }),
          );
        }
        if (admission.accountLocked) throw new ThrottledError(admission.retryAfterSeconds);
        throw new AppError(code);
      };

      if (!tenant || !user || !passwordOk || !membership)
        return fail('credentials', 'auth.invalid_credentials');
      // The right password alone does not open a locked account: wait, or use a known browser.
      if (admission.accountLocked && !user.totpEnabledAt) return fail('password_only', 'auth.mfa_required');
      let factor: 'password' | 'totp' | 'recovery' = 'password';
      if (user.totpEnabledAt) {
        try {
          factor = await mfa.verifySignIn(user, parsed.totp);
        } catch (error) {
          if (
            error instanceof AppError &&
            (error.code === 'auth.mfa_required' || error.code === 'auth.mfa_invalid')
          ) {
            return fail('second_factor', error.code);
          }
          throw error;
        }
      }
      await throttle.recordSuccess(keys);
      const signedIn = {
        tenantId: tenant.id,
        actor: { kind: 'user', id: user.id } as const,
        client: info.client,
      };
      const created = await run(signedIn, async (tx, audit) => {
        const session = await insertSession(tx, clock, { tenantId: tenant.id, userId: user.id, info });
        await audit.record(
          factor === 'recovery' ? 'auth.recovery_code_used' : 'auth.login_succeeded',
          { type: 'session', id: session.sessionId },
          { factor },
        );
        return session;
      });
      return {
        ...created,
        userId: user.id,
        tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
        deviceProof: devices.issue(info.deviceProof, user.id),
      };
    },

    /** The session behind a cookie, if it is still valid; slides the idle timeout forward. */
    async resolve(cookie: string | undefined): Promise<ActiveSession | null> {
      const parsed = parseSessionCookie(cookie);
      if (!parsed) return null;
      const now = clock();
      return run({ tenantId: parsed.tenantId }, async (tx) => {
        const [session] = await tx
          .select()
          .from(sessions)
          .where(and(eq(sessions.tokenHash, parsed.tokenHash), isNull(sessions.revokedAt)))
          .limit(1);
        if (!session) return null;
        // The person's role and account, from the accounts module, in this same transaction.
        const row = await memberAccessOf(tx, session.userId);
        if (!row || row.disabledAt) return null;
        if (session.idleExpiresAt <= now || session.absoluteExpiresAt <= now) return null;
        const settings = await readSettings(tx);
        if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
          const idleExpiresAt = new Date(
            Math.min(
              now.getTime() + settings.sessionIdleMinutes * 60_000,
              session.absoluteExpiresAt.getTime(),
            ),
          );
          await tx
            .update(sessions)
            .set({ lastSeenAt: now, idleExpiresAt })
            .where(eq(sessions.id, session.id));
        }
        return {
          sessionId: session.id,
          tenantId: session.tenantId,
          userId: session.userId,
          role: row.role,
          permissions: (await permissionsOfRole(tx, row.role)) ?? [],
          mfaEnabled: row.totpEnabledAt !== null,
          mfaRequired: settings.requireMfa,
          expiresAt: session.absoluteExpiresAt,
        };
      });
    },

    async logout(cookie: string | undefined): Promise<void> {
      const parsed = parseSessionCookie(cookie);
      if (!parsed) return;
      await run({ tenantId: parsed.tenantId }, async (tx, audit) => {
        const ended = await tx
          .update(sessions)
          .set({ revokedAt: clock() })
          .where(and(eq(sessions.tokenHash, parsed.tokenHash), isNull(sessions.revokedAt)))
          .returning({ id: sessions.id, userId: sessions.userId });
        const [row] = ended;
        if (row) {
          await audit.record('auth.logout', { type: 'session', id: row.id }, undefined, {
            actor: { kind: 'user', id: row.userId },
          });
        }
      });
    },

    /** Replaces the current session with a new id (after a privilege change such as enabling MFA). */
    async renew(current: ActiveSession, info: ClientInfo): Promise<string> {
      return run({ tenantId: current.tenantId }, async (tx) => {
        await tx.update(sessions).set({ revokedAt: clock() }).where(eq(sessions.id, current.sessionId));
        return (await insertSession(tx, clock, { tenantId: current.tenantId, userId: current.userId, info }))
          .cookie;
      });
    },

    /** The caller's own sessions in this tenant (active ones only). */
    async listOwn(ctx: ServiceContext, currentSessionId: string): Promise<SessionView[]> {
      const userId = ownUser(ctx);
      return run(ctx, async (tx) => {
        const rows = await tx
          .select()
          .from(sessions)
          .where(
            and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.idleExpiresAt, clock())),
          )
          .orderBy(desc(sessions.lastSeenAt));
        return rows.map((row) => ({
          id: row.id,
          current: row.id === currentSessionId,
          createdAt: row.createdAt.toISOString(),
          lastSeenAt: row.lastSeenAt.toISOString(),
          expiresAt: row.absoluteExpiresAt.toISOString(),
          client: row.client,
          userAgent: row.userAgent,
        }));
      });
    },

    async revokeOwn(ctx: ServiceContext, sessionId: string): Promise<void> {
      const userId = ownUser(ctx);
      const id = z.uuid().safeParse(sessionId);
      if (!id.success) throw new AppError('content.not_found');
      await run(ctx, async (tx, audit) => {
        const ended = await tx
          .update(sessions)
          .set({ revokedAt: clock() })
          .where(and(eq(sessions.id, id.data), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
          .returning({ id: sessions.id });
        if (ended.length === 0) throw new AppError('content.not_found');
        await audit.record('session.revoked', { type: 'session', id: id.data });
      });
    },

    /** "Sign out everywhere": every session of the caller in this tenant, the current one included. */
    async revokeAllOwn(ctx: ServiceContext): Promise<number> {
      const userId = ownUser(ctx);
      return run(ctx, async (tx, audit) => {
        const ended = await tx
          .update(sessions)
          .set({ revokedAt: clock() })
          .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
          .returning({ id: sessions.id });
        await audit.record('session.revoked_all', { type: 'user', id: userId }, { sessions: ended.length });
        return ended.length;
      });
    },
  };
}

/** Session management is about one's own sessions: only a signed-in user has them. */
function ownUser(ctx: ServiceContext): string {
  if (ctx.actor.kind !== 'user') throw new AppError('auth.forbidden');
  return ctx.actor.id;
}

export type SessionsService = ReturnType<typeof createSessionsService>;
