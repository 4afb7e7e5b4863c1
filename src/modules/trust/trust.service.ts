import { createHash } from 'node:crypto';
import { desc, eq, sql } from 'drizzle-orm';
import { CompactSign } from 'jose';
import type { ServiceContext } from '../../platform/auth/context.js';
import { type Clock, systemClock } from '../../platform/clock.js';
import { canonicalJson } from '../../platform/crypto/canonical-json.js';
import type { Sealer } from '../../platform/crypto/sealing.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { type EvidenceState, readEvidenceStates } from '../evidence/evidence-states.service.js';
import { latestSnapshotIn } from '../publishing/publishing.service.js';
import type { Snapshot, SnapshotContent } from '../publishing/snapshot.contract.js';
import { readOwnTenant } from '../tenants/tenants.service.js';
import {
  CONTENT_CANONICALIZATION,
  TRUST_MANIFEST_FORMAT,
  TRUST_MANIFEST_JWS_TYPE,
  type TrustJwks,
  type TrustManifest,
} from './trust.contract.js';
import { trustManifests } from './trust.schema.js';
import { activeTrustKey, rotateTrustKey, trustKeySet } from './trust-keys.js';

/**
 * A manifest whose evidence results have only grown older (same statuses) is issued again after
 * this long, so the current manifest's results are never much older than the checks' own schedule
 * and a verifier's freshness bound (48 hours by default) holds without a publish.
 */
export const REISSUE_AFTER_MS = 24 * 60 * 60 * 1000;

/** One signed manifest as the public site serves it: the exact signed bytes and the JWS. */
export interface SignedManifest {
  number: number;
  snapshotVersion: number;
  manifest: string;
  manifestSha256: string;
  jws: string;
  issuedAt: Date;
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * SHA-256 (hex) of the snapshot content in canonical JSON (RFC 8785). The content is taken through
 * JSON first, as the database keeps it, so the hash is the same before and after it was stored.
 */
export function contentSha256(content: SnapshotContent): string {
  return sha256Hex(canonicalContent(content));
}

/** The snapshot content as canonical JSON: the bytes `trust/content/N.json` serves. */
export function canonicalContent(content: SnapshotContent): string {
  return canonicalJson(JSON.parse(JSON.stringify(content)));
}

function sameStatuses(issued: TrustManifest['evidence'], now: EvidenceState[]): boolean {
  return (
    issued.length === now.length &&
    issued.every((entry, index) => entry.check === now[index]?.check && entry.status === now[index]?.status)
  );
}

function newerResults(issued: TrustManifest['evidence'], now: EvidenceState[]): boolean {
  return now.some((state, index) => (state.checkedAt?.toISOString() ?? null) !== issued[index]?.checkedAt);
}

const manifestColumns = {
  number: trustManifests.number,
  snapshotVersion: trustManifests.snapshotVersion,
  manifest: trustManifests.manifest,
  manifestSha256: trustManifests.manifestSha256,
  jws: trustManifests.jws,
  issuedAt: trustManifests.issuedAt,
};

/**
 * The signed trust center (decision 0029): every publish, and every change in the evidence
 * results the published controls name, adds a manifest that names the snapshot by its content
 * hash and the manifest before it by its hash, signed (JWS, EdDSA) with the tenant's own key.
 */
export function createTrustService({
  db,
  sealer,
  clock = systemClock,
}: {
  db: Database;
  sealer: Sealer;
  clock?: Clock;
}) {
  const run = tenantTransaction({ db, clock });
  const keyDeps = { sealer, clock };

  /**
   * One manifest at a time per tenant: whoever extends the chain (a publish, an evidence refresh
   * in any worker) holds this until its transaction ends, so the next one reads the manifest the
   * first just wrote before deciding whether one is due at all.
   */
  async function lockChain(tx: Tx, tenantId: string): Promise<void> {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`attest:trust-chain:${tenantId}`}, 0))`,
    );
  }

  async function latestRow(tx: Tx): Promise<SignedManifest | undefined> {
    const [row] = await tx
      .select(manifestColumns)
      .from(trustManifests)
      .orderBy(desc(trustManifests.number))
      .limit(1);
    return row;
  }

  async function issue(
    tx: Tx,
    tenantId: string,
    snapshot: Snapshot,
    reason: TrustManifest['reason'],
    states?: EvidenceState[],
  ): Promise<SignedManifest> {
    await lockChain(tx, tenantId);
    const tenant = await readOwnTenant(tx);
    if (!tenant) throw new Error('a manifest for a tenant that does not exist');
    const previous = await latestRow(tx);
    const key = await activeTrustKey(tx, tenantId, keyDeps);
    const evidence = states ?? (await readEvidenceStates(tx, snapshot.content));
    const issuedAt = clock();
    const manifest: TrustManifest = {
      format: TRUST_MANIFEST_FORMAT,
      tenant: tenant.slug,
      number: (previous?.number ?? 0) + 1,
      issuedAt: issuedAt.toISOString(),
      reason,
      keyId: key.kid,
      snapshot: {
        version: snapshot.version,
        publishedAt: snapshot.publishedAt.toISOString(),
        contentSha256: contentSha256(snapshot.content),
        canonicalization: CONTENT_CANONICALIZATION,
      },
      previous: previous ? { number: previous.number, sha256: previous.manifestSha256 } : null,
      evidence: evidence.map((state) => ({
        check: state.check,
        status: state.status,
        checkedAt: state.checkedAt?.toISOString() ?? null,
      })),
    };
    const bytes = canonicalJson(manifest);
    const jws = await new CompactSign(new TextEncoder().encode(bytes))
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: TRUST_MANIFEST_JWS_TYPE })
      .sign(key.privateKey);
    const row: SignedManifest = {
      number: manifest.number,
      snapshotVersion: snapshot.version,
      manifest: bytes,
      manifestSha256: sha256Hex(bytes),
      jws,
      issuedAt,
    };
    await tx.insert(trustManifests).values({ tenantId, kid: key.kid, ...row });
    return row;
  }

  return {
    /** For the publishing service's hook: a manifest for the snapshot just inserted, in its transaction. */
    async issueForSnapshot(tx: Tx, tenantId: string, snapshot: Snapshot): Promise<void> {
      await issue(tx, tenantId, snapshot, 'publish');
    },

    /**
     * After evidence checks ran: a new manifest when the statuses changed, when the current one is
     * REISSUE_AFTER_MS old and newer results exist, or when the latest snapshot has none yet (it was
     * published before manifests existed). Returns the new manifest's number, or null. Safe with
     * several workers: two that race for the same number conflict, and the loser finds it done.
     */
    async refresh(tenantId: string): Promise<number | null> {
      return run(
        { tenantId },
        async (tx) => {
          await lockChain(tx, tenantId);
          const snapshot = await latestSnapshotIn(tx);
          if (!snapshot) return null;
          const latest = await latestRow(tx);
          const states = await readEvidenceStates(tx, snapshot.content);
          if (latest && latest.snapshotVersion === snapshot.version) {
            const issued = (JSON.parse(latest.manifest) as TrustManifest).evidence;
            const old = clock().getTime() - latest.issuedAt.getTime() >= REISSUE_AFTER_MS;
            if (sameStatuses(issued, states) && !(old && newerResults(issued, states))) return null;
          }
          return (await issue(tx, tenantId, snapshot, latest ? 'evidence' : 'publish', states)).number;
        },
        { retry: { attempts: 3, when: isUniqueViolation } },
      );
    },

    /** The current manifest, or null when the tenant has none (nothing published yet). */
    async latest(ctx: ServiceContext): Promise<SignedManifest | null> {
      ctx.require('published:read');
      return (await run(ctx, latestRow)) ?? null;
    },

    /** Manifest `number`, or null: every manifest is kept, so a reviewer can fetch any of them. */
    async byNumber(ctx: ServiceContext, number: number): Promise<SignedManifest | null> {
      ctx.require('published:read');
      if (!Number.isSafeInteger(number) || number < 1 || number > 2 ** 31 - 1) return null;
      const [row] = await run(ctx, (tx) =>
        tx.select(manifestColumns).from(trustManifests).where(eq(trustManifests.number, number)).limit(1),
      );
      return row ?? null;
    },

    /** The tenant's public keys, retired ones included. */
    async jwks(ctx: ServiceContext): Promise<TrustJwks> {
      ctx.require('published:read');
      return run(ctx, trustKeySet);
    },

    /** A new signing key; the old one is retired and stays in the key set. Signs from the next manifest. */
    async rotateKey(ctx: ServiceContext): Promise<{ kid: string; retired: string[] }> {
      ctx.require('settings:manage');
      return run(ctx, (tx) => rotateTrustKey(tx, ctx.tenantId, keyDeps));
    },
  };
}

export type TrustService = ReturnType<typeof createTrustService>;
