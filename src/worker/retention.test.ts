import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { invitations } from '../modules/accounts/accounts.schema.js';
import { accessGrants, accessRequests, visitorSessions } from '../modules/documents/access.schema.js';
import { loginThrottle, sessions } from '../modules/sessions/sessions.schema.js';
import { createTenantsService } from '../modules/tenants/tenants.service.js';
import { systemContext } from '../platform/auth/context.js';
import { Sealer } from '../platform/crypto/sealing.js';
import type { Database } from '../platform/db/client.js';
import { withPlatform, withTenant } from '../platform/db/tenancy.js';
import { createServices } from '../services.js';
import { applyRetention, retentionDays } from './retention.js';

const DAY = 86_400_000;
const now = new Date('2026-11-26T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
const hash = () => randomBytes(32).toString('hex');

describe.each(testDatabaseKinds)('retention on $name', (kind) => {
  let db: Database;
  let tenantId = '';
  let userId = '';

  beforeAll(async () => {
    db = await kind.create();
    tenantId = (await createTenantsService({ db }).create({ slug: 'retain', name: 'Retain' })).id;
    const services = createServices({ db, sealer: new Sealer(randomBytes(32)) });
    userId = (
      await services.members.add(systemContext(tenantId), {
        email: 'owner@retain.example',
        role: 'owner',
        password: 'a long and unusual passphrase 4471',
      })
    ).userId;
  });
  afterAll(async () => {
    await db?.close();
  });

  async function session(label: string, ended: { revoked?: Date; idle?: Date; absolute?: Date }) {
    await withTenant(db, tenantId, (tx) =>
      tx.insert(sessions).values({
        tenantId,
        userId,
        tokenHash: hash(),
        createdAt: daysAgo(40),
        lastSeenAt: daysAgo(10),
        idleExpiresAt: ended.idle ?? new Date(now.getTime() + DAY),
        absoluteExpiresAt: ended.absolute ?? new Date(now.getTime() + DAY),
        revokedAt: ended.revoked ?? null,
        userAgent: label,
      }),
    );
  }

  async function invitation(email: string, closed: { accepted?: Date; revoked?: Date; expires: Date }) {
    await withTenant(db, tenantId, (tx) =>
      tx.insert(invitations).values({
        tenantId,
        email,
        role: 'viewer',
        tokenHash: hash(),
        expiresAt: closed.expires,
        acceptedAt: closed.accepted ?? null,
        revokedAt: closed.revoked ?? null,
        createdAt: daysAgo(30),
      }),
    );
  }

  async function visitorOfGrant(email: string, grant: { expires: Date; revoked?: Date }) {
    await withTenant(db, tenantId, async (tx) => {
      const [request] = await tx
        .insert(accessRequests)
        .values({
          tenantId,
          name: 'Riley',
          email,
          company: 'Customer Co',
          reason: 'review',
          documentIds: [tenantId],
          status: 'approved',
          createdAt: daysAgo(60),
        })
        .returning({ id: accessRequests.id });
      const [created] = await tx
        .insert(accessGrants)
        .values({
          tenantId,
          requestId: request?.id ?? '',
          email,
          company: 'Customer Co',
          documentIds: [tenantId],
          linkTokenHash: hash(),
          expiresAt: grant.expires,
          revokedAt: grant.revoked ?? null,
          createdBy: 'staff',
          createdAt: daysAgo(60),
        })
        .returning({ id: accessGrants.id });
      await tx
        .insert(visitorSessions)
        .values({ tenantId, grantId: created?.id ?? '', tokenHash: hash(), createdAt: daysAgo(50) });
    });
  }

  it('removes what outlived its period, keeps what is live or recent, and a second run finds nothing', async () => {
    const old = retentionDays.endedSessions + 1;
    await session('revoked long ago', { revoked: daysAgo(old) });
    await session('idle long ago', { idle: daysAgo(old) });
    await session('absolute long ago', { absolute: daysAgo(old) });
    await session('revoked yesterday', { revoked: daysAgo(1) });
    await session('active', {});
    await invitation('accepted@x.example', { accepted: daysAgo(old), expires: daysAgo(old - 5) });
    await invitation('expired@x.example', { expires: daysAgo(old) });
    await invitation('open@x.example', { expires: new Date(now.getTime() + DAY) });
    await visitorOfGrant('ended@x.example', { expires: daysAgo(old) });
    await visitorOfGrant('revoked@x.example', {
      expires: new Date(now.getTime() + DAY),
      revoked: daysAgo(old),
    });
    await visitorOfGrant('live@x.example', { expires: new Date(now.getTime() + DAY) });
    await withPlatform(db, (tx) =>
      tx.insert(loginThrottle).values([
        { key: 'stale', failures: 3, lastFailureAt: daysAgo(2) },
        {
          key: 'blocked',
          failures: 9,
          lastFailureAt: daysAgo(2),
          blockedUntil: new Date(now.getTime() + DAY),
        },
        { key: 'fresh', failures: 1, lastFailureAt: daysAgo(0.1) },
      ]),
    );

    expect(await applyRetention(db, now)).toEqual({
      sessions: 3,
      invitations: 2,
      visitorSessions: 2,
      loginThrottle: 1,
      mails: 0,
    });
    const left = await withTenant(db, tenantId, async (tx) => ({
      sessions: (await tx.select({ label: sessions.userAgent }).from(sessions))
        .map((row) => row.label)
        .sort(),
      invitations: (await tx.select({ email: invitations.email }).from(invitations)).map((row) => row.email),
      grants: (await tx.select().from(accessGrants)).length,
      visitors: (await tx.select().from(visitorSessions)).length,
    }));
    expect(left).toEqual({
      sessions: ['active', 'revoked yesterday'],
      invitations: ['open@x.example'],
      grants: 3, // the grants themselves are the record of what was shared, and stay
      visitors: 1,
    });
    const throttle = await withPlatform(db, (tx) =>
      tx.select({ key: loginThrottle.key }).from(loginThrottle),
    );
    expect(throttle.map((row) => row.key).sort()).toEqual(['blocked', 'fresh']);

    expect(await applyRetention(db, now)).toEqual({
      sessions: 0,
      invitations: 0,
      visitorSessions: 0,
      loginThrottle: 0,
      mails: 0,
    });
  });
});
