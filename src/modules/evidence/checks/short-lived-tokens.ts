import { signingKeyPurpose, TOKEN_LIFETIME_SECONDS } from '../../../platform/auth/jwt.js';
import { signingKeys } from '../../../platform/auth/signing-keys.schema.js';
import { withPlatform } from '../../../platform/db/tenancy.js';
import { type EvidenceCheck, plural } from './check.js';

/** The promise on the trust center: API tokens live at most five minutes. */
const MAX_LIFETIME_SECONDS = 300;
const DAY_MS = 86_400_000;

/**
 * The token lifetime the token service enforces when minting and verifying (TOKEN_LIFETIME_SECONDS),
 * and the signing keys as the platform role reads them: active keys must be Ed25519 with no
 * private part in their public JWK, and their private half must open only with the master key.
 */
export const shortLivedTokens: EvidenceCheck = async ({ db, clock, sealer }) => {
  const keys = await withPlatform(db, (tx) => tx.select().from(signingKeys));
  const active = keys.filter((key) => !key.retiredAt);
  const wellFormed = active.filter((key) => {
    const jwk = key.publicJwk as Record<string, unknown>;
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || 'd' in jwk) return false;
    try {
      sealer.open(key.privateKeySealed, signingKeyPurpose(key.kid));
      return true;
    } catch {
      return false;
    }
  }).length;
  const newest = active.reduce<Date | null>(
    (latest, key) => (latest && latest > key.createdAt ? latest : key.createdAt),
    null,
  );
  const ageDays = newest ? Math.max(0, Math.floor((clock().getTime() - newest.getTime()) / DAY_MS)) : 0;
  const facts = {
    tokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS,
    algorithm: 'EdDSA (Ed25519)',
    activeSigningKeys: active.length,
    ed25519SealedKeys: wellFormed,
    signingKeyAgeDays: ageDays,
  };
  if (TOKEN_LIFETIME_SECONDS > MAX_LIFETIME_SECONDS) {
    return {
      status: 'fail',
      summary: `API tokens live ${TOKEN_LIFETIME_SECONDS} seconds, more than ${MAX_LIFETIME_SECONDS}.`,
      facts,
    };
  }
  if (active.length === 0 || wellFormed < active.length) {
    return {
      status: 'fail',
      summary:
        active.length === 0
          ? 'No active token signing key was found.'
          : `${active.length - wellFormed} of ${plural(active.length, 'active signing key')} ${active.length - wellFormed === 1 ? 'is' : 'are'} not a sealed Ed25519 key.`,
      facts,
    };
  }
  return {
    status: 'pass',
    summary: `API tokens live at most ${TOKEN_LIFETIME_SECONDS / 60} minutes and are signed with Ed25519 keys held sealed by the server; the current signing key is ${plural(ageDays, 'day')} old.`,
    facts,
  };
};
