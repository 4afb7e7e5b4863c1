import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/app.js';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { publishEvidence } from '../../test/support/evidence.js';
import { sampleDocument } from '../../test/support/fixtures.js';
import { type CheckOutcome, checks } from '../modules/evidence/checks/index.js';
import { createEvidenceService } from '../modules/evidence/evidence.service.js';
import type { PublishingService } from '../modules/publishing/publishing.service.js';
import type { ServiceContext } from '../platform/auth/context.js';
import { systemContext } from '../platform/auth/context.js';
import { createPublishedCache } from './published-cache.js';

/**
 * The real publishing service, except that the next read of the latest version, once armed, is
 * held back after it has read: a publish can land between the read and the load's end.
 */
function heldPublishing(publishing: PublishingService) {
  let gate: Promise<void> | null = null;
  let release: () => void = () => {};
  let reached: () => void = () => {};
  return {
    publishing: {
      ...publishing,
      async latestVersion(ctx: ServiceContext) {
        const version = await publishing.latestVersion(ctx);
        const held = gate;
        gate = null;
        if (held) {
          reached();
          await held;
        }
        return version;
      },
    },
    /** Holds the next read; resolves once that read is being held. */
    arm(): Promise<void> {
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      return new Promise<void>((resolve) => {
        reached = resolve;
      });
    },
    release: () => release(),
  };
}

describe.each(testDatabaseKinds)('the published cache on $name', (kind) => {
  const holder = useTestApp(kind);
  let tenantId = '';

  beforeAll(async () => {
    const { services } = holder.app;
    tenantId = (await services.tenants.create({ slug: 'cached', name: 'Cached Ltd' })).id;
    await services.transfer.importDraft(systemContext(tenantId), sampleDocument('FIRST'), { publish: true });
  });

  it('does not keep, or hand to later requests, a load that read the snapshot before a publish', async () => {
    const { services } = holder.app;
    const held = heldPublishing(services.publishing);
    let clock = 0;
    const cache = createPublishedCache({
      tenants: services.tenants,
      publishing: held.publishing,
      revalidateMs: 60_000,
      now: () => clock,
    });

    const first = await cache.bySlug('cached');
    const firstVersion = first?.snapshot.version ?? 0;
    expect(firstVersion).toBeGreaterThan(0);

    // The cached entry is due for its check; the check reads the version, then stalls.
    clock += 61_000;
    const reached = held.arm();
    const stale = cache.bySlug('cached');
    await reached;
    await services.transfer.importDraft(systemContext(tenantId), sampleDocument('SECOND'), { publish: true });
    cache.invalidate(tenantId);

    // A visitor after the publish gets the new version, not a place in the old load's queue.
    const fresh = await Promise.race([
      cache.bySlug('cached'),
      new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 10_000)),
    ]);
    held.release();
    expect(fresh === 'still waiting' ? fresh : fresh?.snapshot.version).toBe(firstVersion + 1);
    expect((await stale)?.snapshot.version).toBe(firstVersion);
    // And the stalled load, finishing last, did not put the old version back in the cache.
    expect((await cache.bySlug('cached'))?.snapshot.version).toBe(firstVersion + 1);
    expect(JSON.stringify((await cache.bySlug('cached'))?.snapshot.content)).toContain('SECOND');
  });

  it('keeps a load for one trust center when another one publishes meanwhile', async () => {
    const { services } = holder.app;
    const held = heldPublishing(services.publishing);
    const cache = createPublishedCache({
      tenants: services.tenants,
      publishing: held.publishing,
      revalidateMs: 60_000,
    });
    const reached = held.arm();
    const loading = cache.bySlug('cached');
    await reached;
    cache.invalidate('00000000-0000-4000-8000-0000000000ff'); // some other tenant's publish
    held.release();
    expect((await loading)?.tenant.id).toBe(tenantId);
    // Kept: the next request is answered from memory, without a promise.
    const next = cache.bySlug('cached');
    expect(next instanceof Promise).toBe(false);
  });

  it('sees a check begin and end failing, recorded by another process, within the revalidation period', async () => {
    const app = holder.app;
    const tenant = await app.services.tenants.create({ slug: 'verified', name: 'Verified Ltd' });
    const ctx = systemContext(tenant.id);
    await app.services.transfer.importDraft(ctx, sampleDocument('VERIFIED'), { publish: true });
    await publishEvidence(app, ctx, ['session-limits']);
    let clock = 0;
    const cache = createPublishedCache({
      tenants: app.services.tenants,
      publishing: app.services.publishing,
      evidence: app.services.evidence,
      revalidateMs: 2_000,
      now: () => clock,
    });
    // A worker process: its own evidence service, which knows nothing of this process's cache.
    let verdict: CheckOutcome = { status: 'pass', summary: 'Within limits.', facts: {} };
    const worker = createEvidenceService({
      db: app.db,
      clock: () => new Date(),
      vault: app.services.vault,
      sealer: holder.sealer,
      transfer: app.services.transfer,
      publishing: app.services.publishing,
      checks: { ...checks, 'session-limits': async () => verdict },
    });
    await worker.runForTenant(tenant.id, ['session-limits']);
    const first = await cache.bySlug('verified');
    expect(first?.failing).toEqual({});

    verdict = { status: 'fail', summary: 'Sessions end after 600 minutes idle.', facts: {} };
    await worker.runForTenant(tenant.id, ['session-limits']);
    expect(await cache.bySlug('verified')).toBe(first);
    clock += 2_001;
    const failing = await cache.bySlug('verified');
    expect(failing).not.toBe(first);
    expect(failing?.snapshot.version).toBe(first?.snapshot.version);
    expect(Object.keys(failing?.failing ?? {})).toEqual(['session-limits']);
    // Still failing, the same episode: the rendered pages are kept.
    await worker.runForTenant(tenant.id, ['session-limits']);
    clock += 2_001;
    expect(await cache.bySlug('verified')).toBe(failing);

    verdict = { status: 'pass', summary: 'Within limits.', facts: {} };
    await worker.runForTenant(tenant.id, ['session-limits']);
    clock += 2_001;
    expect((await cache.bySlug('verified'))?.failing).toEqual({});
  });
});
