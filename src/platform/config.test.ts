import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { masterKeyWeakness } from './crypto/master-key.js';

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

  it('serves metrics and HTTPS only when asked, and refuses a certificate without its key', () => {
    expect(loadConfig({})).toMatchObject({ metrics: undefined, tls: undefined });
    expect(loadConfig({ ATTEST_METRICS_PORT: '9464' }).metrics).toEqual({ port: 9464, host: '127.0.0.1' });
    const https = loadConfig({ ATTEST_TLS_CERT: '/tls/tls.crt', ATTEST_TLS_KEY: '/tls/tls.key' });
    expect(https.tls).toEqual({ certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' });
    expect(https.publicUrl).toBe('https://127.0.0.1:3000');
    expect(() => loadConfig({ ATTEST_TLS_CERT: '/tls/tls.crt' })).toThrow(/ATTEST_TLS_KEY: set both/);
    expect(() => loadConfig({ ATTEST_METRICS_PORT: '70000' })).toThrow(/ATTEST_METRICS_PORT/);
  });

  it('backs the embedded database up daily into its data directory, PostgreSQL only where told', () => {
    expect(loadConfig({ ATTEST_DATA_DIR: '/srv/attest' }).backup).toMatchObject({
      key: undefined,
      dir: '/srv/attest/backups',
      intervalMs: 24 * 60 * 60_000,
      keep: 7,
      databaseUrl: undefined,
    });
    const postgres = loadConfig({ DATABASE_URL: 'postgres://attest@db/attest' }).backup;
    expect(postgres).toMatchObject({ dir: undefined, databaseUrl: 'postgres://attest@db/attest' });
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://attest@db/attest',
        ATTEST_BACKUP_DIR: '/backups',
        ATTEST_BACKUP_INTERVAL_MINUTES: '60',
        ATTEST_BACKUP_KEEP: '48',
        ATTEST_BACKUP_DATABASE_URL: 'postgres://attest_backup@db/attest',
      }).backup,
    ).toMatchObject({
      dir: '/backups',
      intervalMs: 3_600_000,
      keep: 48,
      databaseUrl: 'postgres://attest_backup@db/attest',
    });
    expect(() => loadConfig({ ATTEST_BACKUP_KEEP: '0' })).toThrow(/ATTEST_BACKUP_KEEP/);
    expect(() => loadConfig({ ATTEST_BACKUP_DATABASE_URL: 'mysql://x' })).toThrow(
      /ATTEST_BACKUP_DATABASE_URL: must be a postgres:\/\/ URL/,
    );
  });

  it('sends mail over 4 connections, waits 10 minutes for a message to be accepted, and limits nothing by default', () => {
    expect(loadConfig({}).smtpDelivery).toEqual({
      connections: 4,
      commandTimeoutMs: 60_000,
      dataTimeoutMs: 600_000,
      limits: {},
    });
  });

  it('reads delivery limits per domain, per named domain and per tenant', () => {
    const { smtpDelivery } = loadConfig({
      ATTEST_SMTP_CONNECTIONS: '8',
      ATTEST_MAIL_DOMAIN_RATE: '50',
      ATTEST_MAIL_DOMAIN_CONCURRENCY: '2',
      ATTEST_MAIL_DOMAIN_RATES: 'Gmail.com=20,outlook.com=10',
      ATTEST_MAIL_TENANT_RATE: '200',
    });
    expect(smtpDelivery.connections).toBe(8);
    expect(smtpDelivery.limits).toEqual({
      perDomain: { perSecond: 50, concurrency: 2 },
      domains: {
        'gmail.com': { perSecond: 20, concurrency: 2 },
        'outlook.com': { perSecond: 10, concurrency: 2 },
      },
      perTenant: { perSecond: 200 },
    });
    expect(() => loadConfig({ ATTEST_MAIL_DOMAIN_RATES: 'gmail.com:20' })).toThrow(
      /ATTEST_MAIL_DOMAIN_RATES/,
    );
  });

  it("lets checks of tenants' hosts reach no private range unless the operator lists it", () => {
    expect(loadConfig({}).checkAllowPrivate).toEqual([]);
    const allowed = loadConfig({ ATTEST_CHECK_ALLOW_PRIVATE: '127.0.0.0/8, ::1' }).checkAllowPrivate;
    expect(allowed.map((entry) => entry.prefix)).toEqual([8, 128]);
    expect(() => loadConfig({ ATTEST_CHECK_ALLOW_PRIVATE: 'localhost' })).toThrow(
      /ATTEST_CHECK_ALLOW_PRIVATE: must be comma-separated addresses or ranges/,
    );
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

describe('the master key in production', () => {
  const production = (key: string) => () => loadConfig({ NODE_ENV: 'production', ATTEST_MASTER_KEY: key });
  const base64 = (bytes: number[] | Buffer) => Buffer.from(bytes).toString('base64');
  const counting = Array.from({ length: 32 }, (_, index) => index);

  it('refuses a key that is plainly not random, and says why and how to make one', () => {
    for (const [key, why] of [
      [base64(Buffer.alloc(32)), 'all 32 bytes are the same'],
      ['00'.repeat(32), 'all 32 bytes are the same'],
      [base64(Buffer.alloc(32, 0xff)), 'all 32 bytes are the same'],
      ['abcd'.repeat(16), 'a pattern of 2 bytes'],
      ['deadbeef'.repeat(8), 'a pattern of 4 bytes'],
      [base64(Buffer.concat([randomBytes(16)].flatMap((half) => [half, half]))), 'a pattern of 16 bytes'],
      [base64(Buffer.from('abc'.repeat(11)).subarray(0, 32)), 'a pattern of 3 bytes'],
      [base64(counting), 'count up or down'],
      [base64(counting.map((index) => (200 - 3 * index + 256) % 256)), 'count up or down'],
      // The first 32 digits of pi: nine distinct values, in no pattern.
      [
        base64([
          3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5,
        ]),
        'only 9 distinct byte values',
      ],
      [base64(Buffer.from('my own super secret master key!!')), 'printable text'],
    ] as const) {
      expect(production(key), why).toThrow(ConfigError);
      try {
        production(key)();
      } catch (error) {
        const message = (error as Error).message;
        expect(message).toContain('ATTEST_MASTER_KEY');
        expect(message).toContain(why);
        expect(message).toContain('openssl rand -base64 32');
        expect(message).not.toContain(key);
      }
    }
    expect(production(base64(Buffer.alloc(16, 7)))).toThrow(/32 bytes/);
  });

  it('accepts random keys, and weak ones outside production or as the previous key of a rotation', () => {
    for (let attempt = 0; attempt < 2000; attempt++) {
      expect(masterKeyWeakness(randomBytes(32))).toBeNull();
    }
    expect(production(randomBytes(32).toString('base64'))).not.toThrow();
    expect(production(randomBytes(32).toString('hex'))).not.toThrow();
    const zeros = base64(Buffer.alloc(32));
    expect(() => loadConfig({ NODE_ENV: 'development', ATTEST_MASTER_KEY: zeros })).not.toThrow();
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        ATTEST_MASTER_KEY: randomBytes(32).toString('base64'),
        ATTEST_PREVIOUS_MASTER_KEYS: zeros,
      }),
    ).not.toThrow();
  });
});
