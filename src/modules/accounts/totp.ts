import { randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { hashSecret } from '../../platform/crypto/tokens.js';

/**
 * Time-based one-time passwords (RFC 6238) with the parameters every authenticator app assumes:
 * SHA-1, six digits, 30-second steps. Other values are silently ignored by some apps, which then show
 * codes that never match.
 */
const TOTP_PARAMETERS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

/** The shared secret, base32 as apps expect it: 20 random bytes, the size of an HMAC-SHA-1 key. */
export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app reads from the enrolment QR code. */
export function totpUri({
  secret,
  accountName,
  issuer,
}: {
  secret: string;
  accountName: string;
  issuer: string;
}): string {
  return new TOTP({
    ...TOTP_PARAMETERS,
    issuer,
    label: accountName,
    secret: Secret.fromBase32(secret),
  }).toString();
}

/**
 * Checks a code against the steps around `now` (± `window` steps of 30 s, for clock drift) and returns
 * the time step it belongs to, or null. The caller stores the last accepted step and refuses a code
 * whose step is not greater, so an observed code cannot be replayed. Throws only when the stored
 * secret is not base32, which is a data error rather than a wrong code.
 */
export function verifyTotp(
  secret: string,
  code: string,
  now: number = Date.now(),
  window = 1,
): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = TOTP.validate({
    ...TOTP_PARAMETERS,
    token,
    secret: Secret.fromBase32(secret),
    timestamp: now,
    window: Math.max(0, Math.floor(window)),
  });
  if (delta === null) return null;
  return TOTP.counter({ period: TOTP_PARAMETERS.period, timestamp: now }) + delta;
}

/** 32 symbols without the look-alikes 0/o and 1/l: 5 bits each, 60 bits per 12-symbol code. */
const RECOVERY_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const RECOVERY_GROUPS = 3;
const RECOVERY_GROUP_LENGTH = 4;

/** One-time recovery codes shown once at enrolment, formatted `xxxx-xxxx-xxxx`. Stored hashed only. */
export function generateRecoveryCodes(count = 10): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 100) {
    throw new RangeError('Recovery code count must be an integer from 1 to 100.');
  }
  const codes = new Set<string>();
  while (codes.size < count) codes.add(randomRecoveryCode());
  return [...codes];
}

function randomRecoveryCode(): string {
  const groups: string[] = [];
  for (let group = 0; group < RECOVERY_GROUPS; group++) {
    let symbols = '';
    for (let index = 0; index < RECOVERY_GROUP_LENGTH; index++) {
      symbols += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
    }
    groups.push(symbols);
  }
  return groups.join('-');
}

/**
 * What people type back: any case, with or without the dashes, with spaces from copying. Phones often
 * turn "-" into a typographic dash, so those go too.
 */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s\-\u2010-\u2015\u2212]+/g, '');
}

/**
 * How recovery codes are stored: SHA-256 hex of the normalised code, so a lookup stays an index hit.
 * 60 random bits are far beyond online guessing, which is what a stolen-code login must survive;
 * they are less comfortable against offline search of a leaked table, hence single use.
 */
export function hashRecoveryCode(code: string): string {
  return hashSecret(normalizeRecoveryCode(code));
}
