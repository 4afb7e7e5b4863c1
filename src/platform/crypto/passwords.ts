import { type Algorithm, hash, type Options, parseOptions, type Version, verify } from '@node-rs/argon2';

/**
 * Password hashing: argon2id with the OWASP Password Storage Cheat Sheet minimum (19 MiB, 2 passes,
 * 1 lane). `Algorithm` and `Version` are ambient const enums, which `isolatedModules` forbids reading,
 * so their numeric values are written out here.
 */
const ARGON2ID = 2 as Algorithm;
const VERSION_0X13 = 1 as Version;

export const PASSWORD_HASH_OPTIONS = Object.freeze({
  algorithm: ARGON2ID,
  version: VERSION_0X13,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} satisfies Options);

/**
 * Longest accepted input, in UTF-8 bytes. argon2 itself takes any length, but hashing megabytes on
 * every login attempt is a cheap denial of service; policy allows far less (128 characters) anyway.
 */
export const MAX_PASSWORD_BYTES = 1024;

/**
 * A hash of a random value nobody knows, with the current parameters. Unknown e-mail addresses are
 * verified against it so that they cost the same time as a wrong password and cannot be enumerated.
 */
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$h0yynoKooHNdBSgoZuAOgQ$jmkCFsbUVZWb/xqkB8vIZjLEKT53xfHPWo7LzHJLglM';

/**
 * NIST SP 800-63B asks for Unicode normalisation before hashing, so the same password typed on two
 * keyboards (composed or decomposed accents, full-width digits) matches. Returns null when too long;
 * the raw length is checked first so an oversized input is never normalised either.
 */
function prepare(password: string): string | null {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return null;
  const normalized = password.normalize('NFKC');
  if (Buffer.byteLength(normalized, 'utf8') > MAX_PASSWORD_BYTES) return null;
  return normalized;
}

export async function hashPassword(password: string): Promise<string> {
  const prepared = prepare(password);
  if (prepared === null) {
    throw new RangeError(`Password is longer than ${MAX_PASSWORD_BYTES} bytes; refusing to hash it.`);
  }
  return hash(prepared, PASSWORD_HASH_OPTIONS);
}

/** True when the password matches. A malformed or foreign hash is a mismatch, never an exception. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  const prepared = prepare(password);
  if (prepared === null || typeof passwordHash !== 'string' || passwordHash.length === 0) return false;
  try {
    return await verify(passwordHash, prepared);
  } catch {
    return false;
  }
}

/**
 * True when the hash was made with weaker parameters than today's (or cannot be read): the caller
 * rehashes the password it has just verified and stores the new hash.
 */
export function needsRehash(passwordHash: string): boolean {
  try {
    const used = parseOptions(passwordHash);
    const current = PASSWORD_HASH_OPTIONS;
    return (
      used.algorithm !== current.algorithm ||
      used.version !== current.version ||
      used.memoryCost < current.memoryCost ||
      used.timeCost < current.timeCost ||
      used.outputLen < current.outputLen ||
      used.saltLen < 16
    );
  } catch {
    return true;
  }
}

/** Spends the time of one verification and always fails: for logins of unknown accounts. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(DUMMY_HASH, password);
  return false;
}
