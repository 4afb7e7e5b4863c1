import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption of small secrets (TOTP secrets, signing keys, data keys) under a
 * 256-bit key: AES-256-GCM with a random 96-bit nonce. The purpose string is bound as additional
 * data, so a sealed value cannot be moved to another field or row and still open.
 * Format: `v1.<nonce>.<ciphertext+tag>` (base64url).
 *
 * Master key rotation: a Sealer may also hold previous keys. It seals with the current key only,
 * opens with any of them, and `rewrap` re-seals a value that still opens only with a previous key
 * (`attest master-key rewrap` does that for every sealed value; see docs/operations.md).
 */
export class Sealer {
  readonly #key: Buffer;
  readonly #previous: readonly Buffer[];

  constructor(key: Buffer, previousKeys: readonly Buffer[] = []) {
    for (const candidate of [key, ...previousKeys]) {
      if (candidate.length !== 32) throw new Error('the sealing key must be 32 bytes');
    }
    this.#key = Buffer.from(key);
    this.#previous = previousKeys.map((previous) => Buffer.from(previous));
  }

  /** True when previous keys are configured, i.e. a rotation is under way. */
  get rotating(): boolean {
    return this.#previous.length > 0;
  }

  seal(plaintext: Buffer | string, purpose: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `v1.${nonce.toString('base64url')}.${body.toString('base64url')}`;
  }

  open(sealed: string, purpose: string): Buffer {
    return this.#openWithAnyKey(sealed, purpose).plaintext;
  }

  /**
   * A new sealed value under the current key when `sealed` opens only with a previous key; null
   * when it is already under the current key. Throws like `open` when no key opens it.
   */
  rewrap(sealed: string, purpose: string): string | null {
    const { plaintext, current } = this.#openWithAnyKey(sealed, purpose);
    return current ? null : this.seal(plaintext, purpose);
  }

  #openWithAnyKey(sealed: string, purpose: string): { plaintext: Buffer; current: boolean } {
    const [version, nonceText, bodyText] = sealed.split('.');
    if (version !== 'v1' || !nonceText || !bodyText) throw new SealError('unknown sealed format');
    const nonce = Buffer.from(nonceText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (nonce.length !== 12 || body.length < 16) throw new SealError('truncated sealed value');
    for (const key of [this.#key, ...this.#previous]) {
      const plaintext = openWith(key, nonce, body, purpose);
      if (plaintext) return { plaintext, current: key === this.#key };
    }
    throw new SealError('sealed value failed authentication (wrong key, wrong purpose or tampered)');
  }
}

function openWith(key: Buffer, nonce: Buffer, body: Buffer, purpose: string): Buffer | null {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(purpose, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - 16));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
  } catch {
    return null;
  }
}

export class SealError extends Error {
  override name = 'SealError';
}
