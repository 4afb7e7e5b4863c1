import path from 'node:path';
import { z } from 'zod';
import { MasterKeyError, masterKeyWeakness, parseMasterKey } from './crypto/master-key.js';
import type { DeliveryLimit, DeliveryLimits } from './mail/smtp-limits.js';
import { type AllowList, parseAllowList } from './net/addresses.js';

/**
 * Process configuration, read once from the environment at boot. A bad value stops start-up with a
 * message that names the variable; the result is frozen so nothing can change it at run time.
 */
const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().min(1).max(255).default('127.0.0.1'),
  ATTEST_DATA_DIR: z.string().trim().min(1).max(4096).default('./data'),
  DATABASE_URL: z
    .string()
    .trim()
    .max(4096)
    .optional()
    .transform((value) => (value ? value : undefined))
    .refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
      message: 'must be a postgres:// or postgresql:// URL',
    }),
  ATTEST_PUBLIC_URL: z
    .string()
    .trim()
    .max(2048)
    .optional()
    .transform((value) => (value ? value.replace(/\/+$/, '') : undefined))
    .refine((value) => value === undefined || /^https?:\/\/[^/\s]+$/.test(value), {
      message: 'must be an http(s) origin such as https://trust.example.com, without a path',
    }),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  ATTEST_MASTER_KEY: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((value) => (value ? value : undefined)),
  ATTEST_PREVIOUS_MASTER_KEYS: z
    .string()
    .trim()
    .max(1000)
    .optional()
    .transform((value) => (value ? value.split(',').map((key) => key.trim()) : [])),
  ATTEST_ADMIN_EMAIL: z.string().trim().toLowerCase().max(254).pipe(z.email()).optional(),
  ATTEST_ADMIN_PASSWORD: z.string().max(1024).optional(),
  ATTEST_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SMTP_URL: z
    .string()
    .trim()
    .max(2048)
    .optional()
    .transform((value) => (value ? value : undefined))
    .refine((value) => value === undefined || /^smtps?:\/\/[^\s]+$/.test(value), {
      message: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example:587',
    }),
  ATTEST_MAIL_FROM: z
    .string()
    .trim()
    .max(254)
    .optional()
    .transform((value) => (value ? value : undefined))
    .pipe(z.email().optional()),
  ATTEST_MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(1024).default(25),
  ATTEST_API_RATE_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(600),
  ATTEST_STORAGE: z.enum(['local', 's3']).default('local'),
  ATTEST_S3_BUCKET: z.string().trim().max(255).optional(),
  ATTEST_S3_REGION: z.string().trim().max(64).default('us-east-1'),
  ATTEST_S3_ENDPOINT: z
    .string()
    .trim()
    .max(2048)
    .optional()
    .transform((value) => (value ? value : undefined))
    .refine((value) => value === undefined || /^https?:\/\/[^\s]+$/.test(value), {
      message: 'must be an http(s) URL',
    }),
  ATTEST_S3_PREFIX: z.string().trim().max(200).default(''),
  // Timeouts in milliseconds (decision 0023); 0 turns a statement timeout off.
  ATTEST_DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  ATTEST_DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  ATTEST_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  ATTEST_DB_LONG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  ATTEST_S3_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  ATTEST_S3_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  ATTEST_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  // Prometheus metrics on their own listener (never on the public port); unset: no metrics.
  ATTEST_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  ATTEST_METRICS_HOST: z.string().trim().min(1).max(255).default('127.0.0.1'),
  // HTTPS on the main port, TLS 1.3 only: both files or neither (PEM; re-read when they change).
  ATTEST_TLS_CERT: z.string().trim().max(4096).optional().transform(emptyToUndefined),
  ATTEST_TLS_KEY: z.string().trim().max(4096).optional().transform(emptyToUndefined),
  // SMTP delivery (decision 0020): connections per worker process, timeouts, limits (0 = none).
  ATTEST_SMTP_CONNECTIONS: z.coerce.number().int().min(1).max(64).default(4),
  ATTEST_SMTP_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
  ATTEST_SMTP_DATA_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(600_000),
  ATTEST_MAIL_DOMAIN_RATE: z.coerce.number().int().min(0).max(100_000).default(0),
  ATTEST_MAIL_DOMAIN_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(0),
  ATTEST_MAIL_DOMAIN_RATES: z
    .string()
    .trim()
    .max(4000)
    .default('')
    .refine((value) => value === '' || /^([a-z0-9.-]+=\d{1,6})(,[a-z0-9.-]+=\d{1,6})*$/i.test(value), {
      message: 'must be domain=mails-per-second pairs, e.g. gmail.com=20,outlook.com=10',
    }),
  ATTEST_MAIL_TENANT_RATE: z.coerce.number().int().min(0).max(100_000).default(0),
  ATTEST_MAIL_TENANT_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(0),
  // Private ranges that checks of tenants' hosts may reach (src/platform/net): none by default.
  ATTEST_CHECK_ALLOW_PRIVATE: z
    .string()
    .trim()
    .max(2000)
    .default('')
    .refine((value) => allowListOrNull(value) !== null, {
      message: 'must be comma-separated addresses or ranges, e.g. 127.0.0.0/8,::1',
    }),
  // Backups (decision 0027): the archive key (never the master key), where the worker keeps them,
  // how often (0: never), how many, and the role that dumps PostgreSQL (BYPASSRLS).
  ATTEST_BACKUP_KEY: z.string().trim().max(200).optional().transform(emptyToUndefined),
  ATTEST_BACKUP_DIR: z
    .string()
    .trim()
    .max(4096)
    .optional()
    .transform(emptyToUndefined)
    .refine(
      (value) =>
        value === undefined ||
        !value.startsWith('s3:') ||
        /^s3:\/\/[a-z0-9][a-z0-9.-]{1,62}(\/.*)?$/.test(value),
      {
        message: 'must be a directory or s3://bucket/prefix/',
      },
    ),
  ATTEST_BACKUP_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(525_600).default(1440),
  ATTEST_BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(7),
  ATTEST_BACKUP_DATABASE_URL: z
    .string()
    .trim()
    .max(2048)
    .optional()
    .transform(emptyToUndefined)
    .refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
      message: 'must be a postgres:// URL',
    }),
});

function allowListOrNull(value: string): AllowList | null {
  try {
    return parseAllowList(value);
  } catch {
    return null;
  }
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value ? value : undefined;
}

export type ConfigInput = z.input<typeof configSchema>;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly publicUrl: string;
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly logLevel: string;
  /** Secret: never log it. Unset outside production means a generated key file in dataDir. */
  readonly masterKey: string | undefined;
  /** Secrets: keys being rotated out, still accepted for opening sealed values until rewrapped. */
  readonly previousMasterKeys: readonly string[];
  readonly adminEmail: string | undefined;
  readonly adminPassword: string | undefined;
  /** Trust X-Forwarded-* from a reverse proxy (client address, protocol). */
  readonly trustProxy: boolean;
  /** Secret (may hold a password): never log it. Unset means mails stay in the outbox. */
  readonly smtpUrl: string | undefined;
  /** The sender address of every mail; tenants set the display name and reply-to. */
  readonly mailFrom: string;
  readonly maxUploadBytes: number;
  /** API requests per credential per minute, counted for every web process together; 0 turns the limit off. */
  readonly apiRequestsPerMinute: number;
  readonly storage: StorageConfig;
  /** Where /metrics is served (Prometheus text format); undefined: not at all. */
  readonly metrics: { readonly port: number; readonly host: string } | undefined;
  /** PEM files for HTTPS (TLS 1.3 only) on the main port; undefined: plain HTTP (a proxy terminates TLS). */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** PostgreSQL's timeouts (decision 0023); the embedded database has none. */
  readonly databaseTimeouts: {
    readonly connectMs: number;
    readonly statementMs: number;
    readonly idleInTransactionMs: number;
    readonly longStatementMs: number;
  };
  /** Backups (decision 0027). */
  readonly backup: {
    /** Secret: never log it. Unset outside production, with the embedded database: a key file in dataDir. */
    readonly key: string | undefined;
    /** Where the worker writes its backups (a directory, or s3://bucket/prefix/); undefined: none. */
    readonly dir: string | undefined;
    /** How often the worker takes one; 0: never. */
    readonly intervalMs: number;
    /** How many the worker keeps; older ones are removed. */
    readonly keep: number;
    /** An s3:// target's region and endpoint: those of ATTEST_S3_*. */
    readonly s3: {
      readonly region: string;
      readonly endpoint: string | undefined;
      readonly forcePathStyle: boolean;
    };
    /** PostgreSQL: the role that dumps (BYPASSRLS, pg_read_all_data); by default DATABASE_URL. */
    readonly databaseUrl: string | undefined;
  };
  /** How the worker talks to SMTP_URL (decision 0020). */
  /** Private ranges checks of tenants' own hosts may reach (ATTEST_CHECK_ALLOW_PRIVATE; empty: none). */
  readonly checkAllowPrivate: AllowList;
  readonly smtpDelivery: {
    /** Connections per worker process. */
    readonly connections: number;
    readonly commandTimeoutMs: number;
    /** How long the server may take to accept a message's text (RFC 5321: 10 minutes). */
    readonly dataTimeoutMs: number;
    /** Rates are per second for every worker together; concurrency is per worker process. */
    readonly limits: DeliveryLimits;
  };
}

export type StorageConfig =
  | { readonly driver: 'local'; readonly dir: string }
  | {
      readonly driver: 's3';
      readonly bucket: string;
      readonly region: string;
      readonly endpoint: string | undefined;
      readonly prefix: string;
      readonly forcePathStyle: boolean;
      /** Opening a connection to the bucket's endpoint. */
      readonly connectTimeoutMs: number;
      /** One request's whole exchange (an upload's body included), after which it is abandoned. */
      readonly requestTimeoutMs: number;
    };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * In production the master key must be 32 bytes that look random. A key of zeros or a repeated
 * pattern would start and seal everything under a key an attacker can guess. (The previous keys
 * of a rotation are not checked: moving away from a weak key must stay possible.)
 */
function refuseWeakMasterKey(value: string): void {
  let key: Buffer;
  try {
    key = parseMasterKey(value);
  } catch (error) {
    if (!(error instanceof MasterKeyError)) throw error;
    throw new ConfigError(
      `Invalid configuration:\n  ATTEST_MASTER_KEY: must be 32 bytes, base64 or hex encoded`,
    );
  }
  const weakness = masterKeyWeakness(key);
  if (weakness) {
    throw new ConfigError(
      `Invalid configuration:\n  ATTEST_MASTER_KEY: not a random key (${weakness}). Generate one with: openssl rand -base64 32`,
    );
  }
}

function limit(perSecond: number, concurrency: number): DeliveryLimit | undefined {
  if (!perSecond && !concurrency) return undefined;
  return { ...(perSecond ? { perSecond } : {}), ...(concurrency ? { concurrency } : {}) };
}

function deliveryLimits(value: z.infer<typeof configSchema>): DeliveryLimits {
  const perDomain = limit(value.ATTEST_MAIL_DOMAIN_RATE, value.ATTEST_MAIL_DOMAIN_CONCURRENCY);
  const perTenant = limit(value.ATTEST_MAIL_TENANT_RATE, value.ATTEST_MAIL_TENANT_CONCURRENCY);
  const domains: Record<string, DeliveryLimit> = {};
  for (const pair of value.ATTEST_MAIL_DOMAIN_RATES ? value.ATTEST_MAIL_DOMAIN_RATES.split(',') : []) {
    const [domain = '', rate = '0'] = pair.split('=');
    domains[domain.toLowerCase()] = { ...perDomain, perSecond: Number(rate) };
  }
  return Object.freeze({
    ...(perDomain ? { perDomain } : {}),
    ...(Object.keys(domains).length > 0 ? { domains } : {}),
    ...(perTenant ? { perTenant } : {}),
  });
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const value = parsed.data;
  if (value.ATTEST_STORAGE === 's3' && !value.ATTEST_S3_BUCKET) {
    throw new ConfigError('Invalid configuration:\n  ATTEST_S3_BUCKET: required when ATTEST_STORAGE=s3');
  }
  if (Boolean(value.ATTEST_TLS_CERT) !== Boolean(value.ATTEST_TLS_KEY)) {
    throw new ConfigError(
      'Invalid configuration:\n  ATTEST_TLS_CERT, ATTEST_TLS_KEY: set both (a certificate and its key) or neither',
    );
  }
  if (value.NODE_ENV === 'production' && value.ATTEST_MASTER_KEY) {
    refuseWeakMasterKey(value.ATTEST_MASTER_KEY);
  }
  const dataDir = path.resolve(value.ATTEST_DATA_DIR);
  const storage: StorageConfig =
    value.ATTEST_STORAGE === 's3'
      ? {
          driver: 's3',
          bucket: value.ATTEST_S3_BUCKET ?? '',
          region: value.ATTEST_S3_REGION,
          endpoint: value.ATTEST_S3_ENDPOINT,
          prefix: value.ATTEST_S3_PREFIX,
          forcePathStyle: value.ATTEST_S3_FORCE_PATH_STYLE === 'true',
          connectTimeoutMs: value.ATTEST_S3_CONNECT_TIMEOUT_MS,
          requestTimeoutMs: value.ATTEST_S3_REQUEST_TIMEOUT_MS,
        }
      : { driver: 'local', dir: path.join(dataDir, 'blobs') };
  const publicUrl =
    value.ATTEST_PUBLIC_URL ??
    `${value.ATTEST_TLS_CERT ? 'https' : 'http'}://${value.HOST.includes(':') ? `[${value.HOST}]` : value.HOST}:${value.PORT}`;
  return Object.freeze({
    port: value.PORT,
    host: value.HOST,
    dataDir,
    databaseUrl: value.DATABASE_URL,
    publicUrl,
    nodeEnv: value.NODE_ENV,
    logLevel: value.LOG_LEVEL,
    masterKey: value.ATTEST_MASTER_KEY,
    previousMasterKeys: Object.freeze(value.ATTEST_PREVIOUS_MASTER_KEYS),
    adminEmail: value.ATTEST_ADMIN_EMAIL,
    adminPassword: value.ATTEST_ADMIN_PASSWORD,
    trustProxy: value.ATTEST_TRUST_PROXY === 'true',
    smtpUrl: value.SMTP_URL,
    mailFrom: value.ATTEST_MAIL_FROM ?? `no-reply@${new URL(publicUrl).hostname}`,
    maxUploadBytes: value.ATTEST_MAX_UPLOAD_MB * 1024 * 1024,
    apiRequestsPerMinute: value.ATTEST_API_RATE_LIMIT,
    storage: Object.freeze(storage),
    metrics:
      value.ATTEST_METRICS_PORT === undefined
        ? undefined
        : Object.freeze({ port: value.ATTEST_METRICS_PORT, host: value.ATTEST_METRICS_HOST }),
    tls:
      value.ATTEST_TLS_CERT && value.ATTEST_TLS_KEY
        ? Object.freeze({
            certFile: path.resolve(value.ATTEST_TLS_CERT),
            keyFile: path.resolve(value.ATTEST_TLS_KEY),
          })
        : undefined,
    databaseTimeouts: Object.freeze({
      connectMs: value.ATTEST_DB_CONNECT_TIMEOUT_MS,
      statementMs: value.ATTEST_DB_STATEMENT_TIMEOUT_MS,
      idleInTransactionMs: value.ATTEST_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      longStatementMs: value.ATTEST_DB_LONG_STATEMENT_TIMEOUT_MS,
    }),
    checkAllowPrivate: Object.freeze(parseAllowList(value.ATTEST_CHECK_ALLOW_PRIVATE)),
    backup: Object.freeze({
      key: value.ATTEST_BACKUP_KEY,
      // The embedded database backs itself up into the data directory unless told otherwise (the
      // demo's drill runs on it); with PostgreSQL only where the operator says.
      dir: value.ATTEST_BACKUP_DIR
        ? value.ATTEST_BACKUP_DIR.startsWith('s3://')
          ? value.ATTEST_BACKUP_DIR
          : path.resolve(value.ATTEST_BACKUP_DIR)
        : value.DATABASE_URL
          ? undefined
          : path.join(dataDir, 'backups'),
      intervalMs: value.ATTEST_BACKUP_INTERVAL_MINUTES * 60_000,
      keep: value.ATTEST_BACKUP_KEEP,
      s3: Object.freeze({
        region: value.ATTEST_S3_REGION,
        endpoint: value.ATTEST_S3_ENDPOINT,
        forcePathStyle: value.ATTEST_S3_FORCE_PATH_STYLE === 'true',
      }),
      databaseUrl: value.ATTEST_BACKUP_DATABASE_URL ?? value.DATABASE_URL,
    }),
    smtpDelivery: Object.freeze({
      connections: value.ATTEST_SMTP_CONNECTIONS,
      commandTimeoutMs: value.ATTEST_SMTP_COMMAND_TIMEOUT_MS,
      dataTimeoutMs: value.ATTEST_SMTP_DATA_TIMEOUT_MS,
      limits: deliveryLimits(value),
    }),
  });
}
