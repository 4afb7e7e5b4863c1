import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption of small secrets (TOTP secrets, signing keys, data keys) under a
 * 256-bit key: AES-256-GCM with a random 96-bit nonce. The purpose string is bound as additional
 * data, so a sealed value cannot be moved to another field or row and still open.
 * Format: `v1.<nonce>.<ciphertext+tag>` (base64url).
 */
export class Sealer {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the sealing key must be 32 bytes');
    this.#key = Buffer.from(key);
  }

  seal(plaintext: Buffer | string, purpose: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `v1.${nonce.toString('base64url')}.${body.toString('base64url')}`;
  }

  open(sealed: string, purpose: string): Buffer {
    const [version, nonceText, bodyText] = sealed.split('.');
    if (version !== 'v1' || !nonceText || !bodyText) throw new SealError('unknown sealed format');
    const nonce = Buffer.from(nonceText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (nonce.length !== 12 || body.length < 16) throw new SealError('truncated sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce);
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - 16));
    try {
      return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
    } catch {
      throw new SealError('sealed value failed authentication (wrong key, wrong purpose or tampered)');
    }
  }
}

export class SealError extends Error {
  override name = 'SealError';
}
