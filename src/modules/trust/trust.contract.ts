import { z } from 'zod';
import { evidenceStatuses } from '../evidence/evidence.contract.js';

/*
 * The signed trust center's public formats (decision 0029; docs/verifying-a-trust-center.md).
 * Everything here is public: a manifest names the snapshot by its hash and the evidence by check,
 * status and time; no summary, fact, person or secret is in it.
 */

export const TRUST_MANIFEST_FORMAT = 'attest-trust-manifest/1';
export const CONTENT_CANONICALIZATION = 'RFC 8785';
/** The JWS header's `typ`: tells a manifest's signature from any other JWS the key might make. */
export const TRUST_MANIFEST_JWS_TYPE = 'attest-trust-manifest+jws';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const positiveInt = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31 - 1);
export const keyId = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const trustManifestEvidence = z.object({
  check: z.string().min(1).max(64),
  /** Null while the check has no result yet (a control named it in this very publish). */
  status: z.enum(evidenceStatuses).nullable(),
  checkedAt: z.iso.datetime().nullable(),
});
export type TrustManifestEvidence = z.infer<typeof trustManifestEvidence>;

export const trustManifest = z.object({
  format: z.literal(TRUST_MANIFEST_FORMAT),
  /** The tenant's slug when the manifest was issued. */
  tenant: z.string().min(1).max(63),
  /** Manifests are numbered 1, 2, 3… per tenant; each names the one before by hash. */
  number: positiveInt,
  issuedAt: z.iso.datetime(),
  /** Why it was issued: a publish, or a change in the evidence results (or their age). */
  reason: z.enum(['publish', 'evidence']),
  keyId,
  snapshot: z.object({
    version: positiveInt,
    publishedAt: z.iso.datetime(),
    /** SHA-256 (hex) of the snapshot content in canonical JSON (RFC 8785). */
    contentSha256: sha256Hex,
    canonicalization: z.literal(CONTENT_CANONICALIZATION),
  }),
  /** The manifest before this one: its number and the SHA-256 (hex) of its exact bytes. */
  previous: z.object({ number: positiveInt, sha256: sha256Hex }).nullable(),
  evidence: z.array(trustManifestEvidence).max(100),
});
export type TrustManifest = z.infer<typeof trustManifest>;

/** An Ed25519 public key as the tenant's key set lists it (RFC 8037). */
export const trustPublicJwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  kid: keyId,
  alg: z.literal('EdDSA'),
  use: z.literal('sig'),
});
export type TrustPublicJwk = z.infer<typeof trustPublicJwk>;

export const trustJwks = z.object({ keys: z.array(trustPublicJwk).max(1000) });
export type TrustJwks = z.infer<typeof trustJwks>;
