import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/app.js';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { sampleDocument } from '../../test/support/fixtures.js';
import type { ServiceContext } from '../platform/auth/context.js';
import { systemContext } from '../platform/auth/context.js';
import { createPublishedCache } from './published-cache.js';

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
    // The real publishing service, except that one read of the latest version can be held back
    // after it has read, so a publish lands between the read and the load's end.
    let hold: Promise<void> | null = null;
    let release: () => void = () => {};
    let reachedHold: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      reachedHold = resolve;
    });
    const publishing = {
      ...services.publishing,
      async latestVersion(ctx: ServiceContext) {
        const version = await services.publishing.latestVersion(ctx);
        const gate = hold;
        hold = null;
        if (gate) {
          reachedHold();
          await gate;
        }
        return version;
      },
    };
    let clock = 0;
    const cache = createPublishedCache({
      tenants: services.tenants,
      publishing,
      revalidateMs: 60_000,
      now: () => clock,
    });

    const first = await cache.bySlug('cached');
    const firstVersion = first?.snapshot.version ?? 0;
    expect(firstVersion).toBeGreaterThan(0);

    // The cached entry is due for its check; the check reads the version, then stalls.
    clock += 61_000;
    hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const stale = cache.bySlug('cached');
    await held;
    await services.transfer.importDraft(systemContext(tenantId), sampleDocument('SECOND'), { publish: true });
    cache.invalidate(tenantId);

    // A visitor after the publish gets the new version, not a place in the old load's queue.
    const fresh = await Promise.race([
      cache.bySlug('cached'),
      new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 10_000)),
    ]);
    release();
    expect(fresh === 'still waiting' ? fresh : fresh?.snapshot.version).toBe(firstVersion + 1);
    expect((await stale)?.snapshot.version).toBe(firstVersion);
    // And the stalled load, finishing last, did not put the old version back in the cache.
    expect((await cache.bySlug('cached'))?.snapshot.version).toBe(firstVersion + 1);
    expect(JSON.stringify((await cache.bySlug('cached'))?.snapshot.content)).toContain('SECOND');
  });

  it('keeps a load for one trust center when another one publishes meanwhile', async () => {
    const { services } = holder.app;
    let release: () => void = () => {};
    let reachedHold: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      reachedHold = resolve;
    });
    let hold: Promise<void> | null = new Promise<void>((resolve) => {
      release = resolve;
    });
    const publishing = {
      ...services.publishing,
      async latestVersion(ctx: ServiceContext) {
        const version = await services.publishing.latestVersion(ctx);
        const gate = hold;
        hold = null;
        if (gate) {
          reachedHold();
          await gate;
        }
        return version;
      },
    };
    const cache = createPublishedCache({ tenants: services.tenants, publishing, revalidateMs: 60_000 });
    const loading = cache.bySlug('cached');
    await held;
    cache.invalidate('00000000-0000-4000-8000-0000000000ff'); // some other tenant's publish
    release();
    expect((await loading)?.tenant.id).toBe(tenantId);
    // Kept: the next request is answered from memory, without a promise.
    const next = cache.bySlug('cached');
    expect(next instanceof Promise).toBe(false);
  });
});
