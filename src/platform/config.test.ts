import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has defaults that run the embedded demo locally', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      nodeEnv: 'development',
    });
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.publicUrl).toBe('http://127.0.0.1:3000');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('stops with a message that names each bad variable', () => {
    const attempt = () =>
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        ATTEST_PUBLIC_URL: 'https://x.example/path',
        NODE_ENV: 'prod',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'ATTEST_PUBLIC_URL', 'NODE_ENV'])
        expect(message).toContain(name);
    }
  });

  it('treats an empty DATABASE_URL as unset and strips a trailing slash from the public URL', () => {
    const config = loadConfig({ DATABASE_URL: '', ATTEST_PUBLIC_URL: 'https://trust.example.com/' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.publicUrl).toBe('https://trust.example.com');
  });
});
