import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { createKeyFile, loadMasterKey } from '../crypto/master-key.js';
import { BackupError, parseBackupKey } from './archive.js';

export const BACKUP_KEY_FILE = 'backup.key';

/**
 * The key that seals backup archives: ATTEST_BACKUP_KEY, or for the embedded database outside
 * production a generated key file beside the master key's (ATTEST_DATA_DIR/backup.key). Never the
 * master key: a backup must not be readable by whoever holds only the running system's key, and a
 * restore with the wrong master key must be told apart from a damaged archive.
 */
export function loadBackupKey(config: Config, { create = true }: { create?: boolean } = {}): Buffer {
  let key: Buffer;
  if (config.backup.key) {
    key = parseBackupKey(config.backup.key);
  } else if (config.nodeEnv === 'production' || config.databaseUrl) {
    throw new BackupError(
      'ATTEST_BACKUP_KEY is required to seal or open backups (32 random bytes, base64: attest backup-key generate)',
    );
  } else {
    const file = path.join(config.dataDir, BACKUP_KEY_FILE);
    if (!create && !fs.existsSync(file))
      throw new BackupError(
        `set ATTEST_BACKUP_KEY to the key the archive was sealed with (with the embedded database it is the ${BACKUP_KEY_FILE} file of the data directory that made it)`,
      );
    fs.mkdirSync(config.dataDir, { recursive: true });
    if (!fs.existsSync(file)) createKeyFile(file);
    key = parseBackupKey(fs.readFileSync(file, 'utf8'));
  }
  const master = config.masterKey
    ? loadMasterKey({ value: config.masterKey, dataDir: config.dataDir, production: false })
    : null;
  if (master?.equals(key))
    throw new BackupError(
      'ATTEST_BACKUP_KEY must not be the master key: generate one with attest backup-key generate',
    );
  return key;
}
