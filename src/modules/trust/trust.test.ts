import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { compactVerify, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { type ServiceContext, systemContext, visitorContext } from '../../platform/auth/context.js';
import { Sealer } from '../../platform/crypto/sealing.js';
import type { Database } from '../../platform/db/client.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { createFormRateLimiter } from '../../platform/http/form-rate-limit.js';
import { createLogger } from '../../platform/logging/logger.js';
import { createServices, type Services } from '../../services.js';
import { createScheduler } from '../../worker/scheduler.js';
import type { EvidenceCheckKey, EvidenceStatus } from '../evidence/evidence.contract.js';
import { evidenceResults } from '../evidence/evidence.schema.js';
import { type TrustManifest, trustManifest } from './trust.contract.js';
import { trustManifests, trustSigningKeys } from './trust.schema.js';
import { canonicalContent, REISSUE_AFTER_MS } from './trust.service.js';

const CHECKS: EvidenceCheckKey[] = ['tenant-isolation', 'retention'];

describe.each(testDatabaseKinds)('signed trust manifests on $name', (kind) => {
  let db: Database;
  let services: Services;
  const time = manualClock(new Date('2026-11-30T08:00:00Z'));
  let a: ServiceContext;
  let b: ServiceContext;

  async function publishedTenant(slug: string, evidence: EvidenceCheckKey[] = []) {
    const tenant = await services.tenants.create({ slug, name: `${slug} name` });
    const ctx = systemContext(tenant.id, 'test');
    const document = sampleDocument(slug);
    const [category] = document.categories;
    const [control] = category?.controls ?? [];
    if (control && evidence.length) control.evidence = evidence;
    await services.transfer.importDraft(ctx, document, { publish: true });
    return ctx;
  }

  /** What the worker's check run writes (here without running the checks themselves). */
  async function result(ctx: ServiceContext, check: EvidenceCheckKey, status: EvidenceStatus) {
    const row = {
      tenantId: ctx.tenantId,
      checkKey: check,
      status,
      summary: 'A summary.',
      facts: {},
      checkedAt: time.clock(),
      durationMs: 3,
      // A failing result says since when (the table holds that consistent with the status).
      failingSince: status === 'fail' || status === 'error' ? time.clock() : null,
    };
    await withTenant(db, ctx.tenantId, (tx) =>
      tx
        .insert(evidenceResults)
        .values(row)
        .onConflictDoUpdate({
          target: [evidenceResults.tenantId, evidenceResults.checkKey],
          set: { status, checkedAt: row.checkedAt, failingSince: row.failingSince },
        }),
    );
  }

  const current = async (ctx: ServiceContext) => {
    const signed = await services.trust.latest(visitorContext(ctx.tenantId));
    if (!signed) throw new Error('no manifest');
    return { signed, manifest: trustManifest.parse(JSON.parse(signed.manifest)) };
  };
  const count = async (ctx: ServiceContext) =>
    (await withTenant(db, ctx.tenantId, (tx) => tx.select({ n: trustManifests.number }).from(trustManifests)))
      .length;

  beforeAll(async () => {
    db = await kind.create();
    services = createServices({ db, sealer: new Sealer(randomBytes(32)), clock: time.clock });
    a = await publishedTenant('signed-a', CHECKS);
    b = await publishedTenant('signed-b');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('a publish issues a manifest naming the snapshot by hash, signed with a key the key set holds', async () => {
    const { signed, manifest } = await current(a);
    const snapshot = await services.publishing.latest(visitorContext(a.tenantId));
    expect(manifest).toMatchObject({ tenant: 'signed-a', number: 1, reason: 'publish', previous: null });
    expect(manifest.snapshot.version).toBe(snapshot?.version);
    expect(manifest.snapshot.contentSha256).toBe(
      createHash('sha256')
        .update(canonicalContent(snapshot?.content ?? ({} as never)))
        .digest('hex'),
    );
    // Named by the controls but not run yet: in the manifest, without a result.
    expect(manifest.evidence).toEqual(CHECKS.map((check) => ({ check, status: null, checkedAt: null })));
    const jwks = await services.trust.jwks(visitorContext(a.tenantId));
    expect(jwks.keys.map((key) => key.kid)).toEqual([manifest.keyId]);
    const verified = await compactVerify(signed.jws, await importJWK(jwks.keys[0] ?? {}, 'EdDSA'));
    expect(Buffer.from(verified.payload).toString('utf8')).toBe(signed.manifest);
    expect(verified.protectedHeader).toMatchObject({ alg: 'EdDSA', kid: manifest.keyId });
  });

  it('after checks run: a manifest when a status changes, none while nothing changed, one a day as results age', async () => {
    time.advance(time.minutes(5));
    for (const check of CHECKS) await result(a, check, 'pass');
    expect(await services.trust.refresh(a.tenantId)).toBe(2);
    const second = await current(a);
    expect(second.manifest).toMatchObject({ number: 2, reason: 'evidence' });
    expect(second.manifest.previous).toEqual({
      number: 1,
      sha256: createHash('sha256')
        .update((await services.trust.byNumber(visitorContext(a.tenantId), 1))?.manifest ?? '')
        .digest('hex'),
    });
    expect(second.manifest.evidence.map((entry) => entry.status)).toEqual(['pass', 'pass']);

    // The checks run again a quarter-hour later with the same outcome: nothing new to sign.
    time.advance(time.minutes(15));
    for (const check of CHECKS) await result(a, check, 'pass');
    expect(await services.trust.refresh(a.tenantId)).toBeNull();

    // One fails: signed at once.
    await result(a, 'retention', 'fail');
    expect(await services.trust.refresh(a.tenantId)).toBe(3);
    expect((await current(a)).manifest.evidence.map((entry) => entry.status)).toEqual(['pass', 'fail']);

    // A day of unchanged results: signed again, so the current manifest's results stay fresh.
    time.advance(REISSUE_AFTER_MS - time.minutes(1));
    await result(a, 'retention', 'fail');
    expect(await services.trust.refresh(a.tenantId)).toBeNull();
    time.advance(time.minutes(2));
    await result(a, 'retention', 'fail');
    expect(await services.trust.refresh(a.tenantId)).toBe(4);
    expect((await current(a)).manifest.evidence[1]?.checkedAt).toBe(time.clock().toISOString());
    // Without newer results an old manifest is not signed again: it would claim nothing new.
    time.advance(REISSUE_AFTER_MS * 2);
    expect(await services.trust.refresh(a.tenantId)).toBeNull();
  });

  it('two workers refreshing at once issue one manifest, and a publish after them the next', async () => {
    await result(a, 'retention', 'pass');
    const before = await count(a);
    const numbers = await Promise.all([
      services.trust.refresh(a.tenantId),
      services.trust.refresh(a.tenantId),
    ]);
    expect(numbers.filter((number) => number !== null)).toEqual([before + 1]);
    expect(await count(a)).toBe(before + 1);
    const published = await withTenant(db, a.tenantId, (tx) =>
      services.publishing.republishIn(tx, a, (content) => ({ ...content, faq: content.faq.slice(1) })),
    );
    expect(published?.changed).toBe(true);
    const { manifest } = await current(a);
    expect(manifest).toMatchObject({
      number: before + 2,
      reason: 'publish',
      previous: { number: before + 1 },
    });
    expect(manifest.snapshot.version).toBe(published?.version);
  });

  it("keeps each tenant's manifests and keys to itself", async () => {
    const ofB = await current(b);
    expect(ofB.manifest).toMatchObject({ tenant: 'signed-b', number: 1, evidence: [] });
    expect(await services.trust.byNumber(visitorContext(b.tenantId), 2)).toBeNull();
    const keysOfA = (await services.trust.jwks(visitorContext(a.tenantId))).keys.map((key) => key.kid);
    const keysOfB = (await services.trust.jwks(visitorContext(b.tenantId))).keys.map((key) => key.kid);
    expect(keysOfB).toHaveLength(1);
    expect(keysOfA).not.toContain(keysOfB[0]);
    for (const number of [0, -1, 2 ** 31, Number.NaN, 1.5]) {
      expect(await services.trust.byNumber(visitorContext(a.tenantId), number)).toBeNull();
    }
  });

  it('a manifest cannot be changed, and the private key rests only sealed', async () => {
    await expect(
      withTenant(db, a.tenantId, (tx) => tx.update(trustManifests).set({ manifest: '{}' })),
    ).rejects.toThrow();
    await expect(withTenant(db, a.tenantId, (tx) => tx.delete(trustManifests))).rejects.toThrow();
    await expect(
      withTenant(db, a.tenantId, (tx) => tx.update(trustSigningKeys).set({ publicJwk: {} as never })),
    ).rejects.toThrow();
    const [key] = await withTenant(db, a.tenantId, (tx) => tx.select().from(trustSigningKeys));
    expect(key?.privateKeySealed).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(JSON.stringify(key?.publicJwk)).not.toContain('"d"');
  });

  it('a trust center published before manifests existed gets its first at the next refresh', async () => {
    const ctx = await publishedTenant('signed-before');
    await db.orm.execute(sql`delete from trust_manifests where tenant_id = ${ctx.tenantId}`);
    expect(await services.trust.latest(visitorContext(ctx.tenantId))).toBeNull();
    expect(await services.trust.refresh(ctx.tenantId)).toBe(1);
    const { manifest } = await current(ctx);
    expect(manifest).toMatchObject({
      number: 1,
      reason: 'publish',
      previous: null,
    } satisfies Partial<TrustManifest>);
    expect(await services.trust.refresh(ctx.tenantId)).toBeNull();
  });

  it("the worker's scheduled evidence run signs what the checks found", async () => {
    await result(a, 'retention', 'error');
    await services.trust.refresh(a.tenantId);
    const before = await current(a);
    expect(before.manifest.evidence[1]?.status).toBe('error');
    time.advance(time.minutes(20));
    const scheduler = createScheduler({
      db,
      services,
      limiter: createFormRateLimiter({ db, clock: time.clock }),
      dispatch: () => {},
      clock: time.clock,
      logger: createLogger('silent'),
    });
    expect((await scheduler.tick()).evidence).toBeGreaterThan(0);
    const after = await current(a);
    expect(after.manifest).toMatchObject({ number: before.manifest.number + 1, reason: 'evidence' });
    expect(after.manifest.evidence.map((entry) => entry.checkedAt)).toEqual(
      CHECKS.map(() => time.clock().toISOString()),
    );
    expect(after.manifest.evidence[1]?.status).not.toBe('error');
  });
});
