import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The master key wraps every other key (JWT signing keys, TOTP secrets, tenants' data keys).
 * Production takes it from ATTEST_MASTER_KEY (32 bytes, base64 or hex) and refuses to start without
 * it. The embedded default generates a key file in the data directory, readable by its owner only.
 */
export function loadMasterKey(options: {
  value: string | undefined;
  dataDir: string;
  production: boolean;
}): Buffer {
  if (options.value) return parseMasterKey(options.value);
  if (options.production) {
    throw new MasterKeyError('ATTEST_MASTER_KEY is required in production (32 random bytes, base64).');
  }
  const file = path.join(options.dataDir, 'master.key');
  fs.mkdirSync(options.dataDir, { recursive: true });
  if (!fs.existsSync(file)) createKeyFile(file);
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new MasterKeyError(
      `${file} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${file}`,
    );
  }
  return parseMasterKey(fs.readFileSync(file, 'utf8'));
}

/**
 * Writes a new key file whole or not at all: a full disk or a kill mid-write must not leave an
 * empty or short key file that every later start would refuse. The key goes to a temporary file,
 * is flushed, and is linked to its name, which fails if another process made the file first.
 */
export function createKeyFile(file: string): void {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = fs.openSync(temp, 'wx', 0o600);
    try {
      fs.writeFileSync(fd, `${randomBytes(32).toString('base64')}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(temp, file);
    } catch (error) {
      // A file system without hard links: a rename, which two first starts at once could race.
      if (!['EPERM', 'ENOTSUP', 'ENOSYS'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
      fs.renameSync(temp, file);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // The error that brought us here is the one to report.
    }
  }
}

export function parseMasterKey(value: string): Buffer {
  const text = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new MasterKeyError('the master key must be 32 bytes, base64 or hex encoded');
  return key;
}

export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

/** Fewer distinct values than this among 32 random bytes is not seen in practice (about 30 are). */
const FEWEST_DISTINCT_BYTES = 16;

/**
 * Why a 32-byte key is plainly not random, or null. Each test is one that 32 bytes from a
 * cryptographic generator fail with negligible probability (below 2^-40), so a real key is never
 * refused: one repeated byte, a short pattern repeated (period up to 16), bytes that count up or
 * down in equal steps, few distinct bytes, or printable text (a passphrase encoded as the key).
 */
export function masterKeyWeakness(key: Buffer): string | null {
  if (key.every((byte) => byte === key[0])) return `all ${key.length} bytes are the same`;
  for (let period = 1; period <= key.length / 2; period++) {
    if (key.every((byte, index) => index < period || byte === key[index - period])) {
      return `it repeats a pattern of ${period} byte${period === 1 ? '' : 's'}`;
    }
  }
  const step = ((key[1] ?? 0) - (key[0] ?? 0) + 256) % 256;
  if (key.every((byte, index) => index === 0 || (byte - (key[index - 1] ?? 0) + 256) % 256 === step)) {
    return 'its bytes count up or down in equal steps';
  }
  const distinct = new Set(key).size;
  if (distinct < FEWEST_DISTINCT_BYTES) return `it has only ${distinct} distinct byte values`;
  if (key.every((byte) => byte >= 0x20 && byte <= 0x7e)) return 'it is printable text, not random bytes';
  return null;
}
