import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { Clock } from '../clock.js';
import type { Sealer } from '../crypto/sealing.js';
import type { Database } from '../db/client.js';
import { withPlatform } from '../db/tenancy.js';
import { AppError } from '../errors.js';
import { isPermission, type Permission } from './context.js';
import { signingKeys } from './signing-keys.schema.js';

/** A token lives at most this long; a retired key keeps verifying this long plus clock skew. */
export const TOKEN_LIFETIME_SECONDS = 300;
const CLOCK_SKEW_SECONDS = 30;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface TokenClaims {
  subject: string;
  tenantId: string;
  permissions: Permission[];
  /** 'user' tokens come from a BFF session; the session id is recorded for the audit trail. */
  sessionId?: string;
}

interface KeyEntry {
  kid: string;
  publicJwk: JWK;
  createdAt: Date;
  retiredAt: Date | null;
}

const SEAL_PURPOSE = 'signing-key';
/** What a signing key's private half is sealed for (bound into the sealed value). */
export const signingKeyPurpose = (kid: string) => `${SEAL_PURPOSE}:${kid}`;

/**
 * EdDSA (Ed25519) JWTs for the API. The BFF mints one per forwarded request; the API verifies
 * with the algorithm, issuer and audience pinned, a lifetime of at most five minutes, and the
 * tenant claim checked against a UUID. Private keys are sealed with the master key in the
 * database, so every process of a deployment signs and verifies with the same key set.
 */
export function createTokenService({
  db,
  sealer,
  issuer,
  audience = 'attest-api',
  clock,
}: {
  db: Database;
  sealer: Sealer;
  issuer: string;
  audience?: string;
  clock: Clock;
}) {
  let keys: KeyEntry[] = [];
  let signer: { kid: string; key: Awaited<ReturnType<typeof importJWK>> } | null = null;
  let loadedAt = 0;

  async function load(force = false): Promise<void> {
    if (!force && keys.length && Date.now() - loadedAt < 60_000) return;
    const rows = await withPlatform(db, (tx) => tx.select().from(signingKeys));
    keys = rows.map((row) => ({
      kid: row.kid,
      publicJwk: row.publicJwk as JWK,
      createdAt: row.createdAt,
      retiredAt: row.retiredAt,
    }));
    const active = rows
      .filter((row) => !row.retiredAt)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
    if (active && active.kid !== signer?.kid) {
      const jwk = JSON.parse(
        sealer.open(active.privateKeySealed, signingKeyPurpose(active.kid)).toString('utf8'),
      ) as JWK;
      signer = { kid: active.kid, key: await importJWK(jwk, 'EdDSA') };
    }
    if (!active) signer = null;
    loadedAt = Date.now();
  }

  async function createKey(): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = randomUUID().replaceAll('-', '');
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
    const sealed = sealer.seal(JSON.stringify(await exportJWK(privateKey)), signingKeyPurpose(kid));
    await withPlatform(db, (tx) =>
      tx.insert(signingKeys).values({
        kid,
        publicJwk: publicJwk as unknown as Record<string, string>,
        privateKeySealed: sealed,
        createdAt: clock(),
      }),
    );
    return kid;
  }

  /** Keys that may still have valid tokens out there: active ones and recently retired ones. */
  function verifyingKeys(): KeyEntry[] {
    const cutoff = clock().getTime() - (TOKEN_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) * 1000;
    return keys.filter((key) => !key.retiredAt || key.retiredAt.getTime() > cutoff);
  }

  return {
    /** Makes sure a signing key exists (first start). */
    async ensureKey(): Promise<void> {
      await load(true);
      if (!signer) {
        await createKey();
        await load(true);
      }
    },

    /**
     * Adds a new signing key and retires the current one: it stops signing now and keeps verifying
     * until every token it signed has expired.
     */
    async rotate(): Promise<{ kid: string; retired: string[] }> {
      await load(true);
      const retired = keys.filter((key) => !key.retiredAt).map((key) => key.kid);
      const kid = await createKey();
      await withPlatform(db, async (tx) => {
        for (const old of retired) {
          await tx.update(signingKeys).set({ retiredAt: clock() }).where(eq(signingKeys.kid, old));
        }
      });
      await load(true);
      return { kid, retired };
    },

    async mint(claims: TokenClaims, lifetimeSeconds = TOKEN_LIFETIME_SECONDS): Promise<string> {
      await load();
      if (!signer) throw new Error('no signing key: call ensureKey() at start-up');
      const now = Math.floor(clock().getTime() / 1000);
      return new SignJWT({
        tid: claims.tenantId,
        perm: claims.permissions,
        ...(claims.sessionId ? { sid: claims.sessionId } : {}),
      })
        .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(claims.subject)
        .setIssuedAt(now)
        .setExpirationTime(now + Math.min(lifetimeSeconds, TOKEN_LIFETIME_SECONDS))
        .setJti(randomUUID())
        .sign(signer.key);
    },

    /** Verifies a token and returns its claims; any problem is a plain 401. */
    async verify(token: string): Promise<TokenClaims> {
      await load();
      let payload: JWTPayload;
      try {
        const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
          kid?: unknown;
        };
        // An unknown key id may be a key another process just added; look again, but at most every
        // few seconds, so tokens with made-up key ids cannot turn into one query each.
        if (
          typeof header.kid === 'string' &&
          !keys.some((key) => key.kid === header.kid) &&
          Date.now() - loadedAt > 5_000
        ) {
          await load(true);
        }
        const jwks = createLocalJWKSet({ keys: verifyingKeys().map((key) => key.publicJwk) });
        ({ payload } = await jwtVerify(token, jwks, {
          algorithms: ['EdDSA'],
          issuer,
          audience,
          typ: 'JWT',
          requiredClaims: ['exp', 'iat', 'jti', 'sub', 'tid'],
          maxTokenAge: TOKEN_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS,
          clockTolerance: CLOCK_SKEW_SECONDS,
          currentDate: clock(),
        }));
      } catch {
        throw new AppError('auth.required');
      }
      const lifetime = Number(payload.exp) - Number(payload.iat);
      const granted = Array.isArray(payload.perm)
        ? payload.perm.filter(
            (value): value is Permission => typeof value === 'string' && isPermission(value),
          )
        : null;
      if (
        typeof payload.tid !== 'string' ||
        !UUID.test(payload.tid) ||
        !granted ||
        !(lifetime > 0 && lifetime <= TOKEN_LIFETIME_SECONDS)
      ) {
        throw new AppError('auth.required');
      }
      return {
        subject: String(payload.sub),
        tenantId: payload.tid,
        permissions: granted,
        ...(typeof payload.sid === 'string' ? { sessionId: payload.sid } : {}),
      };
    },

    /** The public keys for /.well-known/jwks.json. */
    async jwks(): Promise<{ keys: JWK[] }> {
      await load();
      return { keys: verifyingKeys().map((key) => key.publicJwk) };
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
