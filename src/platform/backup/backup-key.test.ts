import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { loadBackupKey } from './backup-key.js';

const dirs: string[] = [];
const dataDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-backup-key-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the backup key', () => {
  it('is ATTEST_BACKUP_KEY, and never the master key', () => {
    const key = randomBytes(32);
    const config = loadConfig({ ATTEST_DATA_DIR: dataDir(), ATTEST_BACKUP_KEY: key.toString('base64') });
    expect(loadBackupKey(config).equals(key)).toBe(true);
    expect(() =>
      loadBackupKey(
        loadConfig({ ATTEST_MASTER_KEY: key.toString('base64'), ATTEST_BACKUP_KEY: key.toString('hex') }),
      ),
    ).toThrow(/must not be the master key/);
    expect(() => loadBackupKey(loadConfig({ ATTEST_BACKUP_KEY: 'c2hvcnQ=' }))).toThrow(/must be 32 bytes/);
  });

  it('is required with PostgreSQL and in production; embedded, a generated key file kept across starts', () => {
    expect(() => loadBackupKey(loadConfig({ DATABASE_URL: 'postgres://attest@db/attest' }))).toThrow(
      /ATTEST_BACKUP_KEY is required/,
    );
    const dir = dataDir();
    expect(() => loadBackupKey(loadConfig({ ATTEST_DATA_DIR: dir }), { create: false })).toThrow(
      /set ATTEST_BACKUP_KEY to the key the archive was sealed with/,
    );
    const first = loadBackupKey(loadConfig({ ATTEST_DATA_DIR: dir }));
    expect(fs.statSync(path.join(dir, 'backup.key')).mode & 0o777).toBe(0o600);
    expect(loadBackupKey(loadConfig({ ATTEST_DATA_DIR: dir })).equals(first)).toBe(true);
  });
});
