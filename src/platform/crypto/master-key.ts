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
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new MasterKeyError(
      `${file} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${file}`,
    );
  }
  return parseMasterKey(fs.readFileSync(file, 'utf8'));
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
