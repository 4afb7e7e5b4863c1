import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { calculateJwkThumbprint } from 'jose';
import type { Clock } from '../../platform/clock.js';
import type { Sealer } from '../../platform/crypto/sealing.js';
import type { Tx } from '../../platform/db/client.js';
import type { TrustJwks, TrustPublicJwk } from './trust.contract.js';
import { trustSigningKeys } from './trust.schema.js';

/** Bound into the sealed private key: it opens only as this tenant's key with this id. */
export const trustKeyPurpose = (tenantId: string, kid: string) => `trust-signing-key:${tenantId}:${kid}`;

export interface ActiveTrustKey {
  kid: string;
  privateKey: KeyObject;
}

async function newKey(tx: Tx, tenantId: string, { sealer, clock }: { sealer: Sealer; clock: Clock }) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  if (!x) throw new Error('an Ed25519 public key without x');
  // The RFC 7638 thumbprint: anyone can recompute the id from the key itself.
  const kid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x }, 'sha256');
  const publicJwk: TrustPublicJwk = { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' };
  const sealed = sealer.seal(
    privateKey.export({ format: 'der', type: 'pkcs8' }),
    trustKeyPurpose(tenantId, kid),
  );
  const inserted = await tx
    .insert(trustSigningKeys)
    .values({ tenantId, kid, publicJwk, privateKeySealed: sealed, createdAt: clock() })
    .onConflictDoNothing()
    .returning({ kid: trustSigningKeys.kid });
  return inserted.length > 0 ? { kid, privateKey } : null;
}

/** The tenant's signing key, made at its first use (the first manifest), in the caller's transaction. */
export async function activeTrustKey(
  tx: Tx,
  tenantId: string,
  deps: { sealer: Sealer; clock: Clock },
): Promise<ActiveTrustKey> {
  const [row] = await tx
    .select({ kid: trustSigningKeys.kid, sealed: trustSigningKeys.privateKeySealed })
    .from(trustSigningKeys)
    .where(isNull(trustSigningKeys.retiredAt))
    .limit(1);
  if (row) {
    const der = deps.sealer.open(row.sealed, trustKeyPurpose(tenantId, row.kid));
    return { kid: row.kid, privateKey: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) };
  }
  const created = await newKey(tx, tenantId, deps);
  if (created) return created;
  // Another transaction made the tenant's first key meanwhile: use that one.
  return activeTrustKey(tx, tenantId, deps);
}

/** Retires the signing key (it stays in the key set) and makes the next; returns the new key's id. */
export async function rotateTrustKey(
  tx: Tx,
  tenantId: string,
  deps: { sealer: Sealer; clock: Clock },
): Promise<{ kid: string; retired: string[] }> {
  const retired = await tx
    .update(trustSigningKeys)
    .set({ retiredAt: deps.clock() })
    .where(and(eq(trustSigningKeys.tenantId, tenantId), isNull(trustSigningKeys.retiredAt)))
    .returning({ kid: trustSigningKeys.kid });
  const created = await newKey(tx, tenantId, deps);
  if (!created) throw new Error('a concurrent rotation made the next trust signing key');
  return { kid: created.kid, retired: retired.map((key) => key.kid) };
}

/** Every key the tenant ever signed with, the one in use first: old manifests keep verifying. */
export async function trustKeySet(tx: Tx): Promise<TrustJwks> {
  const rows = await tx
    .select({ jwk: trustSigningKeys.publicJwk, retiredAt: trustSigningKeys.retiredAt })
    .from(trustSigningKeys)
    .orderBy(desc(trustSigningKeys.createdAt));
  const active = rows.filter((row) => row.retiredAt === null);
  const retired = rows.filter((row) => row.retiredAt !== null);
  return {
    keys: [...active, ...retired].map(({ jwk }) => ({
      kty: jwk.kty,
      crv: jwk.crv,
      x: jwk.x,
      kid: jwk.kid,
      alg: jwk.alg,
      use: jwk.use,
    })),
  };
}
