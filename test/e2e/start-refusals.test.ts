import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attestExit } from './support/attest-server.js';

/** `attest start` with a configuration it must refuse: it says why and exits, having created nothing. */
describe('attest start refuses what it cannot run with', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function emptyDir(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'attest-refusal-'));
    dirs.push(dir);
    return dir;
  }

  it('a weak ATTEST_ADMIN_PASSWORD: exit 2 with the reason, and no database or demo is made', async () => {
    const dataDir = await emptyDir();
    const { code, output } = await attestExit(dataDir, ['start'], {
      PORT: '0',
      ATTEST_ADMIN_EMAIL: 'owner@refusal.example',
      ATTEST_ADMIN_PASSWORD: 'password',
    });
    expect(code, output).toBe(2);
    expect(output).toContain('ATTEST_ADMIN_PASSWORD');
    expect(output).toContain('too common');
    expect(output).not.toContain('Attest is running');
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('a master key of zeros in production: exit 2 with the reason', async () => {
    const dataDir = await emptyDir();
    for (const key of [Buffer.alloc(32).toString('base64'), randomBytes(4).toString('hex').repeat(8)]) {
      const { code, output } = await attestExit(dataDir, ['start'], {
        PORT: '0',
        NODE_ENV: 'production',
        ATTEST_MASTER_KEY: key,
      });
      expect(code, output).toBe(2);
      expect(output).toContain('ATTEST_MASTER_KEY: not a random key');
      expect(output).not.toContain(key);
    }
    expect(await readdir(dataDir)).toEqual([]);
  });
});
