import { createHash } from 'node:crypto';
import { brotliCompressSync, gzipSync, constants as zlibConstants } from 'node:zlib';
import type { FailingChecks } from '../modules/evidence/evidence.contract.js';
import type { EvidenceService } from '../modules/evidence/evidence.service.js';
import { evidenceInUse } from '../modules/evidence/evidence-in-use.js';
import type { HostCheckEvidence } from '../modules/host-checks/host-checks.contract.js';
import type { HostChecksService } from '../modules/host-checks/host-checks.service.js';
import type { PublishingService } from '../modules/publishing/publishing.service.js';
import type { Snapshot } from '../modules/publishing/snapshot.contract.js';
import type { Tenant } from '../modules/tenants/tenants.contract.js';
import type { TenantsService } from '../modules/tenants/tenants.service.js';
import { visitorContext } from '../platform/auth/context.js';
import { within } from '../platform/deadline.js';

/** One representation of a public page, rendered and compressed once per published version. */
export interface RenderedPage {
  readonly contentType: string;
  readonly etag: string;
  readonly identity: Buffer;
  readonly gzip: Buffer;
  readonly brotli: Buffer;
}

export interface PublishedSite {
  readonly tenant: Tenant;
  readonly snapshot: Snapshot;
  /**
   * Since when each failing check the snapshot's controls name has been failing: live, not part of
   * the snapshot, so a site is reloaded (and its pages rendered anew) when this changes.
   */
  readonly failing: FailingChecks;
  /** Likewise live: the tenant's host checks that name the snapshot's controls, with their state. */
  readonly hostChecks: readonly HostCheckEvidence[];
  /** Renders (once) and returns a page of this snapshot. */
  page(name: string, render: () => { body: string; contentType: string }): RenderedPage;
}

interface Entry {
  site: PublishedSite | null;
  checkedAt: number;
}

const MAX_ENTRIES = 10_000;

/**
 * How long a visitor waits for a due check when a page is already in memory: past this the
 * check goes on in the background and the visitor gets the page it would have got before the
 * check (a database that hangs must not hold the public site; decision 0023).
 */
export const STALE_AFTER_MS = 250;

export function renderPage(version: number, body: string, contentType: string): RenderedPage {
  const identity = Buffer.from(body, 'utf8');
  const hash = createHash('sha256').update(identity).digest('base64url').slice(0, 16);
  return {
    contentType,
    etag: `"${version}-${hash}"`,
    identity,
    gzip: gzipSync(identity, { level: 9 }),
    brotli: brotliCompressSync(identity, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: identity.length,
      },
    }),
  };
}

/** The live state the pages show beside the snapshot: a change of it renders them anew. */
interface LiveState {
  failing: FailingChecks;
  hostChecks: readonly HostCheckEvidence[];
}

function createSite(tenant: Tenant, snapshot: Snapshot, live: LiveState): PublishedSite {
  const pages = new Map<string, RenderedPage>();
  return {
    tenant,
    snapshot,
    failing: live.failing,
    hostChecks: live.hostChecks,
    page(name, render) {
      let page = pages.get(name);
      if (!page) {
        const { body, contentType } = render();
        page = renderPage(snapshot.version, body, contentType);
        pages.set(name, page);
      }
      return page;
    },
  };
}

/**
 * The public site's read model: tenant lookup plus its latest snapshot, with rendered pages kept
 * in memory. A publish in this process invalidates at once (`invalidate`); other processes notice
 * within `revalidateMs`, when a cheap version check finds a newer snapshot. Unknown slugs and hosts
 * are cached too (bounded), so hostile lookups cannot make every request hit the database.
 * While the database is down or slow, what is in memory goes on being served (see `load`).
 */
const sameLive = (a: LiveState, b: LiveState) =>
  JSON.stringify([a.failing, a.hostChecks]) === JSON.stringify([b.failing, b.hostChecks]);

export function createPublishedCache({
  tenants,
  publishing,
  evidence,
  hostChecks,
  revalidateMs,
  now = Date.now,
}: {
  tenants: TenantsService;
  publishing: PublishingService;
  /** The live evidence the pages show beside the snapshot (without it, no check is failing). */
  evidence?: Pick<EvidenceService, 'failingSince'>;
  /** The tenant's checks of its own hosts, live evidence of the controls they name (without it, none). */
  hostChecks?: Pick<HostChecksService, 'evidenceOf'>;
  revalidateMs: number;
  now?: () => number;
}) {
  /** Only the checks the snapshot's controls name, in the contract's order (a stable comparison). */
  async function failingOf(tenantId: string, snapshotContent: Snapshot['content']): Promise<FailingChecks> {
    const inUse = evidenceInUse(snapshotContent);
    if (!evidence || inUse.size === 0) return {};
    const all = await evidence.failingSince(tenantId);
    const failing: FailingChecks = {};
    for (const key of inUse.keys()) if (all[key]) failing[key] = all[key];
    return failing;
  }

  /** What is live beside the snapshot; host checks by state only (a run that changes nothing re-renders nothing). */
  async function liveOf(tenantId: string, snapshotContent: Snapshot['content']): Promise<LiveState> {
    const keys = new Set(
      snapshotContent.categories.flatMap((category) => category.controls.map((control) => control.key)),
    );
    return {
      failing: await failingOf(tenantId, snapshotContent),
      hostChecks: hostChecks ? await hostChecks.evidenceOf(tenantId, keys) : [],
    };
  }

  const entries = new Map<string, Entry>();
  const pending = new Map<string, Promise<PublishedSite | null>>();
  const pendingSince = new Map<string, number>();
  /**
   * Bumped by every invalidation, and remembered per tenant. A load that began before a publish
   * may read the old snapshot; it still answers the requests that were waiting for it, but it is
   * not kept, and requests after the publish start a load of their own. Another tenant's publish
   * does not stop a load from being kept (a load that found no tenant is not kept either way:
   * the publish may have been that tenant's first).
   */
  let generation = 0;
  const invalidatedIn = new Map<string, number>();
  let clearedIn = -1;

  /**
   * A check that fails (the database is down or timed out) keeps what was known: the last
   * published snapshot goes on being served from memory, and is checked again after the next
   * period. Only a site never loaded has nothing to fall back on, and the failure reaches the
   * route (a 503).
   */
  async function load(key: string, previous: Entry | undefined, findTenant: () => Promise<Tenant | null>) {
    try {
      return await check(key, previous?.site ?? null, findTenant);
    } catch (error) {
      if (!previous) throw error;
      if (entries.get(key) === previous) previous.checkedAt = now();
      return previous.site;
    }
  }

  async function check(
    key: string,
    previous: PublishedSite | null,
    findTenant: () => Promise<Tenant | null>,
  ) {
    const startedIn = generation;
    const tenant = await findTenant();
    let site: PublishedSite | null = null;
    if (tenant) {
      const ctx = visitorContext(tenant.id);
      const version = await publishing.latestVersion(ctx);
      if (version !== null) {
        const reusable =
          previous && previous.tenant.id === tenant.id && previous.snapshot.version === version;
        // The rendered pages depend on the snapshot and the slug; the tenant's status (closing,
        // reopened) changes what its forms accept, so a changed status takes the fresh tenant.
        // A check that began or ended failing changes what the controls it backs show.
        if (reusable && previous.tenant.slug === tenant.slug && previous.tenant.status === tenant.status) {
          const live = await liveOf(tenant.id, previous.snapshot.content);
          site = sameLive(live, previous) ? previous : createSite(tenant, previous.snapshot, live);
        } else {
          const snapshot = await publishing.latest(ctx);
          site = snapshot ? createSite(tenant, snapshot, await liveOf(tenant.id, snapshot.content)) : null;
        }
      }
    }
    const stale = tenant
      ? Math.max(invalidatedIn.get(tenant.id) ?? -1, clearedIn) >= startedIn
      : startedIn !== generation;
    if (stale) return site;
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
    entries.set(key, { site, checkedAt: now() });
    return site;
  }

  function resolve(
    key: string,
    findTenant: () => Promise<Tenant | null>,
  ): Promise<PublishedSite | null> | PublishedSite | null {
    const entry = entries.get(key);
    if (entry && now() - entry.checkedAt < revalidateMs) return entry.site;
    let inflight = pending.get(key);
    if (!inflight) {
      const started = load(key, entry, findTenant).finally(() => {
        if (pending.get(key) === started) {
          pending.delete(key);
          pendingSince.delete(key);
        }
      });
      inflight = started;
      pending.set(key, started);
      pendingSince.set(key, now());
    }
    if (!entry) return inflight;
    // A check that has taken long already: answer from memory at once, without a timer.
    if (now() - (pendingSince.get(key) ?? now()) >= STALE_AFTER_MS) return entry.site;
    return within(STALE_AFTER_MS, inflight, entry.site);
  }

  return {
    /** By slug (/t/:slug). May answer synchronously from memory: the hot path awaits nothing then. */
    bySlug(slug: string) {
      return resolve(`slug:${slug}`, () => tenants.findBySlug(slug));
    },
    /** By Host header, for custom domains. */
    byHost(host: string) {
      return resolve(`host:${host.toLowerCase()}`, () => tenants.findByHost(host));
    },
    /**
     * Forget what is cached for a tenant: called after a publish in this process, and after a
     * check of the tenant began or ended failing here (other processes see it within revalidateMs).
     */
    invalidate(tenantId: string) {
      invalidatedIn.set(tenantId, generation);
      generation += 1;
      pending.clear();
      pendingSince.clear();
      for (const [key, entry] of entries) {
        if (!entry.site || entry.site.tenant.id === tenantId) entries.delete(key);
      }
    },
    clear() {
      clearedIn = generation;
      generation += 1;
      pending.clear();
      pendingSince.clear();
      entries.clear();
    },
  };
}

export type PublishedCache = ReturnType<typeof createPublishedCache>;
