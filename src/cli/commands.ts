import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { blobStoreFor, openConfiguredDatabase, sealerFor } from '../app.js';
import { emailAddress } from '../modules/accounts/accounts.contract.js';
import { findUserByEmail } from '../modules/accounts/users.service.js';
import { verifyAuditChain } from '../modules/audit/audit.service.js';
import { formatTrustCenterFile, parseTrustCenterFile } from '../modules/content/transfer.service.js';
import { assertDemoOwner, type DemoOwner, seedDemo } from '../modules/demo/demo.js';
import { deleteTenantNow, TenantDeletionError } from '../modules/tenants/tenant-deletion.js';
import { systemContext } from '../platform/auth/context.js';
import { createTokenService, TOKEN_LIFETIME_SECONDS } from '../platform/auth/jwt.js';
import { systemClock } from '../platform/clock.js';
import { type Config, ConfigError } from '../platform/config.js';
import { rewrapSealedValues } from '../platform/crypto/rewrap.js';
import type { Database } from '../platform/db/client.js';
import { migrate } from '../platform/db/migrate.js';
import { withPlatform } from '../platform/db/tenancy.js';
import { AppError } from '../platform/errors.js';
import { createLogger } from '../platform/logging/logger.js';
import { type ProcessRole, processRoles, RoleError, startApp, startWorkerProcess } from '../processes.js';
import { createServices, type Services, sealedColumns } from '../services.js';
import { BackupUsageError, backup, backupKey, restore } from './backup-commands.js';
import { generatePassword } from './generate-password.js';
import { canRestartInPlace, restartInPlace } from './restart-in-place.js';
import { exportTenantArchive, importTenantArchiveFile } from './tenant-archive.js';
import { DEFAULT_MAX_AGE_HOURS, DEFAULT_TIMEOUT_MS, verifyTrustCenter } from './verify-trust-center.js';

export class UsageError extends Error {}

export const usage = `Usage: attest <command> [options]

  start [--no-demo] [--role all|web|worker]
                                          run everything (public site, API, console, worker)
                                          in one process; with DATABASE_URL, --role web or
                                          --role worker runs one part (see docs/operations.md)
  migrate                                 apply pending database migrations
  tenant create --slug S --name N [--domain D]
  tenant list
  tenant set-domain --slug S (--domain D | --clear)
  tenant close --slug S [--days 30]       contract end: read-only now, deleted with all its data
                                          and files after the days (the worker does it)
  tenant reopen --slug S                  cancel a closing
  tenant delete --slug S --confirm S      delete a tenant, its data and files now
  tenant export --slug S [--out FILE]     the whole tenant as one ZIP (data, documents decrypted,
                                          audit log; see docs/data-export.md); stdout by default
  tenant import --slug NEW --name N FILE  restore an export into a new tenant (all or nothing)
  content export --tenant S [--out FILE]  write the draft as YAML (stdout by default)
  content import --tenant S FILE [--publish]
                                          replace the draft with FILE (all or nothing)
  content publish --tenant S              publish the draft as a new snapshot
  content history --tenant S              list published snapshots
  user create --tenant S --email E --role R [--password P]
                                          add a member (a new user gets a generated password
                                          unless --password or ATTEST_ADMIN_PASSWORD is given)
  user disable --email E                  end every session and API key of a user, everywhere
  keys rotate                             add a new JWT signing key; the old one verifies until
                                          its last token has expired
  master-key generate                     print a new random master key (32 bytes, base64)
  master-key rewrap                       re-seal every secret under ATTEST_MASTER_KEY that still
                                          needs one of ATTEST_PREVIOUS_MASTER_KEYS (see docs)
  audit verify --tenant S                 check the tenant's audit hash chain
  trust rotate-key --tenant S             new signing key for the tenant's trust manifests; the
                                          old one stays in its key set (old manifests verify)
  verify URL [--at N] [--chain N] [--content FILE] [--max-age-hours 48] [--timeout-ms 10000]
                                          check a signed trust center (e.g. https://host/t/acme):
                                          signatures, hash chain, content hash (of a saved copy
                                          with --content), freshness
  backup [--out FILE]                     write one encrypted archive of the database and its
                                          files (sealed with ATTEST_BACKUP_KEY; see docs)
  restore ARCHIVE                         restore an archive into an EMPTY database and blob
                                          store; a damaged or altered archive changes nothing
  backup-key generate                     print a new random backup key (32 bytes, base64)

Configuration comes from the environment: PORT, HOST, ATTEST_DATA_DIR, DATABASE_URL,
ATTEST_PUBLIC_URL, NODE_ENV, LOG_LEVEL, ATTEST_BACKUP_* (see README and docs/operations.md).
`;

type Command = (args: string[], config: Config) => Promise<number>;

function parse<const Options extends Record<string, { type: 'string' | 'boolean' }>>(
  args: string[],
  options: Options,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing --${flag}`);
  return value;
}

/** Opens the configured database, migrates it, and runs `work` with the services; always closes. */
async function withServices<T>(
  config: Config,
  work: (services: Services, db: Database) => Promise<T>,
): Promise<T> {
  const db = await openConfiguredDatabase(config);
  try {
    await migrate(db);
    return await work(createServices({ db, sealer: sealerFor(config) }), db);
  } finally {
    await db.close();
  }
}

function roleOf(value: string | undefined): ProcessRole {
  const role = value ?? 'all';
  if (!(processRoles as readonly string[]).includes(role)) {
    throw new UsageError(`--role must be one of ${processRoles.join(', ')}, got "${role}"`);
  }
  return role as ProcessRole;
}

function closeOnSignal(logger: ReturnType<typeof createLogger>, running: { close(): Promise<void> }) {
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

/** A weak ATTEST_ADMIN_PASSWORD is a configuration error, reported like any other. */
function refuseUnusableOwner(owner: DemoOwner): void {
  try {
    assertDemoOwner(owner);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const problems = error.details.map((detail) => detail.message).join(' ');
    throw new ConfigError(
      `Invalid configuration:\n  ATTEST_ADMIN_PASSWORD: not accepted as the demo owner's password. ${problems} (Or start with --no-demo.)`,
    );
  }
}

const start: Command = async (args, config) => {
  const { values } = parse(args, { 'no-demo': { type: 'boolean' }, role: { type: 'string' } });
  const role = roleOf(values.role);
  const logger = createLogger(config.logLevel);
  if (role === 'worker') {
    const worker = await startWorkerProcess(config, logger).catch((error: unknown) => {
      throw error instanceof RoleError ? new UsageError(error.message) : error;
    });
    closeOnSignal(logger, worker);
    process.stdout.write(
      '\nAttest worker is running (notice fan-out, scheduled changes, mail delivery).\n\n',
    );
    return new Promise<number>(() => {}); // runs until a signal ends the process
  }
  const owner: DemoOwner | null = values['no-demo']
    ? null
    : {
        email: config.adminEmail ?? 'owner@demo.attest.example',
        password: config.adminPassword ?? generatePassword(),
      };
  // Before anything is opened or created: a demo whose owner cannot be made is not started.
  if (owner) refuseUnusableOwner(owner);
  const app = await startApp(config, logger, role).catch((error: unknown) => {
    throw error instanceof RoleError ? new UsageError(error.message) : error;
  });
  let demoLogin = '';
  let demoCreated = false;
  try {
    const demo = owner
      ? await seedDemo(
          {
            services: app.services,
            db: app.db,
            servicesOn: (db) =>
              createServices({
                db,
                sealer: sealerFor(config),
                publicUrl: config.publicUrl,
                blobs: blobStoreFor(config),
              }),
          },
          owner,
        )
      : null;
    if (owner && demo) {
      logger.info(
        { tenantId: demo.tenant.id },
        demo.created ? 'demo trust center created' : 'demo trust center given its missing owner',
      );
      // The worker's first run came before the demo existed: show its live evidence from the start.
      if (demo.created) await app.services.evidence.runForTenant(demo.tenant.id);
      demoCreated = demo.created;
      // Printed once, to the terminal only (never logged): the operator's first sign-in.
      demoLogin = `  Demo owner: ${owner.email}${
        config.adminPassword
          ? ' (password from ATTEST_ADMIN_PASSWORD)'
          : `, password ${owner.password} (shown once)`
      }\n`;
    }
  } catch (error) {
    // Without this the open database and the worker keep the process alive: it would neither
    // serve nor exit.
    await app.close();
    throw error;
  }
  if (demoCreated && app.db.kind === 'pglite' && canRestartInPlace()) {
    // A first embedded start has just created the schema and the demo: the libraries and heap
    // that took (PDF, HTML sanitising, the seed's objects) would stay resident in an idle server
    // that never needs them again. Serve from a fresh process instead, like any later restart.
    process.stdout.write(`\nDemo trust center created.\n${demoLogin}`);
    await app.close();
    restartInPlace();
  }
  closeOnSignal(logger, app);
  try {
    await app.server.listen({ port: config.port, host: config.host });
  } catch (error) {
    // A port in use or not allowed is told as one line (startup-problem.ts).
    await app.close();
    throw error;
  }
  const tenants = await app.services.tenants.list();
  process.stdout.write(
    `\nAttest is running (${app.db.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'}).\n` +
      tenants.map((tenant) => `  ${tenant.name}: ${config.publicUrl}/t/${tenant.slug}/security\n`).join('') +
      demoLogin +
      '\n',
  );
  return new Promise<number>(() => {}); // runs until a signal ends the process
};

const migrateCommand: Command = async (args, config) => {
  parse(args, {});
  const db = await openConfiguredDatabase(config);
  try {
    const report = await migrate(db);
    process.stdout.write(
      report.applied.length
        ? `Applied migrations ${report.applied.join(', ')}; schema is at version ${report.current}.\n`
        : `Nothing to apply; schema is at version ${report.current}.\n`,
    );
    return 0;
  } finally {
    await db.close();
  }
};

const tenant: Command = async ([sub, ...args], config) => {
  if (sub === 'create') {
    const { values } = parse(args, {
      slug: { type: 'string' },
      name: { type: 'string' },
      domain: { type: 'string' },
    });
    const created = await withServices(config, (services) =>
      services.tenants.create({
        slug: required(values.slug, 'slug'),
        name: required(values.name, 'name'),
        ...(values.domain ? { customDomain: values.domain } : {}),
      }),
    );
    process.stdout.write(`Created tenant ${created.slug} (${created.id}).\n`);
    return 0;
  }
  if (sub === 'list') {
    parse(args, {});
    const all = await withServices(config, (services) => services.tenants.list());
    for (const row of all) {
      // A deletion the database refused shows here, with its reason (names only, no data).
      const status = row.deletionError ? `${row.status} (deletion failed: ${row.deletionError})` : row.status;
      process.stdout.write(`${row.slug}\t${status}\t${row.customDomain ?? '-'}\t${row.name}\n`);
    }
    return 0;
  }
  if (sub === 'set-domain') {
    const { values } = parse(args, {
      slug: { type: 'string' },
      domain: { type: 'string' },
      clear: { type: 'boolean' },
    });
    if (!values.domain && !values.clear) throw new UsageError('give --domain D or --clear');
    const updated = await withServices(config, (services) =>
      services.tenants.setCustomDomain(
        required(values.slug, 'slug'),
        values.clear ? null : (values.domain ?? null),
      ),
    );
    process.stdout.write(`Tenant ${updated.slug} custom domain: ${updated.customDomain ?? '(none)'}\n`);
    return 0;
  }
  if (sub === 'close') {
    const { values } = parse(args, { slug: { type: 'string' }, days: { type: 'string' } });
    const days = Number(values.days ?? '30');
    if (!Number.isInteger(days) || days < 0 || days > 365) throw new UsageError('--days must be 0 to 365');
    const closed = await withServices(config, (services) =>
      services.tenants.close(required(values.slug, 'slug'), days, new Date()),
    );
    process.stdout.write(
      `Tenant ${closed.slug} is closing: read-only now, deleted with all its data and files on ${closed.deletionDueAt?.toISOString()}.\n` +
        `Export before then: attest content export --tenant ${closed.slug}; undo with: attest tenant reopen --slug ${closed.slug}\n`,
    );
    return 0;
  }
  if (sub === 'reopen') {
    const { values } = parse(args, { slug: { type: 'string' } });
    const reopened = await withServices(config, (services) =>
      services.tenants.reopen(required(values.slug, 'slug'), new Date()),
    );
    process.stdout.write(`Tenant ${reopened.slug} is active again.\n`);
    return 0;
  }
  if (sub === 'delete') {
    const { values } = parse(args, { slug: { type: 'string' }, confirm: { type: 'string' } });
    const slug = required(values.slug, 'slug');
    if (values.confirm !== slug)
      throw new UsageError(`deleting is final: repeat the slug, --confirm ${slug}`);
    const db = await openConfiguredDatabase(config);
    try {
      await migrate(db);
      const services = createServices({ db, sealer: sealerFor(config), blobs: blobStoreFor(config) });
      const found = await services.tenants.requireBySlug(slug);
      try {
        const { files } = await deleteTenantNow(db, services.vault, found.id);
        process.stdout.write(`Deleted tenant ${slug}, all its data and ${files} file(s).\n`);
        return 0;
      } catch (error) {
        if (!(error instanceof TenantDeletionError)) throw error;
        process.stderr.write(
          `attest: tenant ${slug} was not deleted and keeps all its data: ${error.message}\n`,
        );
        return 1;
      }
    } finally {
      await db.close();
    }
  }
  if (sub === 'export') {
    const { values } = parse(args, { slug: { type: 'string' }, out: { type: 'string' } });
    return exportTenantArchive(config, required(values.slug, 'slug'), values.out);
  }
  if (sub === 'import') {
    const { values, positionals } = parse(args, { slug: { type: 'string' }, name: { type: 'string' } }, true);
    if (positionals.length !== 1) throw new UsageError('give exactly one archive to import');
    return importTenantArchiveFile(
      config,
      { slug: required(values.slug, 'slug'), name: required(values.name, 'name') },
      positionals[0] as string,
    );
  }
  throw new UsageError(`unknown tenant command "${sub ?? ''}"`);
};

const content: Command = async ([sub, ...args], config) => {
  const contextFor = async (services: Services, slug: string | undefined) =>
    systemContext((await services.tenants.requireBySlug(required(slug, 'tenant'))).id);

  if (sub === 'export') {
    const { values } = parse(args, { tenant: { type: 'string' }, out: { type: 'string' } });
    const document = await withServices(config, async (services) =>
      services.transfer.exportDraft(await contextFor(services, values.tenant)),
    );
    const text = formatTrustCenterFile(document);
    if (values.out) fs.writeFileSync(values.out, text);
    else process.stdout.write(text);
    return 0;
  }
  if (sub === 'import') {
    const { values, positionals } = parse(
      args,
      { tenant: { type: 'string' }, publish: { type: 'boolean' } },
      true,
    );
    if (positionals.length !== 1) throw new UsageError('give exactly one file to import');
    const file = positionals[0] as string;
    // Validate the file before touching the database: a bad file changes nothing.
    const document = parseTrustCenterFile(fs.readFileSync(file, 'utf8'));
    const result = await withServices(config, async (services) =>
      services.transfer.importDraft(await contextFor(services, values.tenant), document, {
        publish: values.publish ?? false,
      }),
    );
    process.stdout.write(
      `Imported ${file} into the draft.${result ? (result.changed ? ` Published version ${result.version}.` : ` Nothing changed since version ${result.version}.`) : ''}\n`,
    );
    return 0;
  }
  if (sub === 'publish') {
    const { values } = parse(args, { tenant: { type: 'string' } });
    const result = await withServices(config, async (services) =>
      services.publishing.publish(await contextFor(services, values.tenant)),
    );
    process.stdout.write(
      result.changed
        ? `Published version ${result.version}.\n`
        : `No changes since version ${result.version}.\n`,
    );
    return 0;
  }
  if (sub === 'history') {
    const { values } = parse(args, { tenant: { type: 'string' } });
    const history = await withServices(config, async (services) =>
      services.publishing.history(await contextFor(services, values.tenant)),
    );
    for (const row of history) {
      process.stdout.write(
        `${row.version}\t${row.publishedAt.toISOString()}\t${row.publishedBy}\t${row.contentSha256.slice(0, 12)}\n`,
      );
    }
    return 0;
  }
  throw new UsageError(`unknown content command "${sub ?? ''}"`);
};

const user: Command = async ([sub, ...args], config) => {
  if (sub === 'create') {
    const { values } = parse(args, {
      tenant: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
    });
    const generated = values.password || config.adminPassword ? undefined : generatePassword();
    const password = values.password ?? config.adminPassword ?? generated;
    const result = await withServices(config, async (services) => {
      const tenant = await services.tenants.requireBySlug(required(values.tenant, 'tenant'));
      return services.members.add(systemContext(tenant.id), {
        email: required(values.email, 'email'),
        role: required(values.role, 'role'),
        ...(password ? { password } : {}),
      });
    });
    process.stdout.write(
      `Added ${values.email} to ${values.tenant} as ${values.role}.` +
        (result.created && generated ? `\nInitial password (shown once): ${generated}\n` : '\n'),
    );
    return 0;
  }
  if (sub === 'disable') {
    const { values } = parse(args, { email: { type: 'string' } });
    const result = await withServices(config, async (services, db) => {
      const found = await withPlatform(db, (tx) =>
        findUserByEmail(tx, emailAddress.parse(required(values.email, 'email'))),
      );
      if (!found) throw new UsageError('no user with that e-mail address');
      return services.users.disable(found.id);
    });
    process.stdout.write(`Disabled; sessions and API keys ended in ${result.tenants} tenant(s).\n`);
    return 0;
  }
  throw new UsageError(`unknown user command "${sub ?? ''}"`);
};

const keys: Command = async ([sub, ...args], config) => {
  if (sub !== 'rotate') throw new UsageError(`unknown keys command "${sub ?? ''}"`);
  parse(args, {});
  const result = await withServices(config, async (_services, db) => {
    const tokens = createTokenService({
      db,
      sealer: sealerFor(config),
      issuer: config.publicUrl,
      clock: systemClock,
    });
    await tokens.ensureKey();
    return tokens.rotate();
  });
  process.stdout.write(
    `New signing key ${result.kid}. Retired ${result.retired.length} key(s); they verify tokens for ${TOKEN_LIFETIME_SECONDS / 60} more minutes.\n`,
  );
  return 0;
};

const audit: Command = async ([sub, ...args], config) => {
  if (sub !== 'verify') throw new UsageError(`unknown audit command "${sub ?? ''}"`);
  const { values } = parse(args, { tenant: { type: 'string' } });
  const result = await withServices(config, async (services, db) => {
    const tenant = await services.tenants.requireBySlug(required(values.tenant, 'tenant'));
    return verifyAuditChain(db, tenant.id);
  });
  if (result.ok) {
    process.stdout.write(`Audit chain intact: ${result.events} event(s).\n`);
    return 0;
  }
  process.stdout.write(
    `Audit chain BROKEN at event ${result.brokenAt} (${result.reason}); ${result.events} event(s) before it are intact.\n`,
  );
  return 1;
};

const masterKeyRewrap = async (config: Config): Promise<number> => {
  const sealer = sealerFor(config);
  if (!sealer.rotating) {
    throw new UsageError(
      'nothing to rotate from: set ATTEST_MASTER_KEY to the new key and ATTEST_PREVIOUS_MASTER_KEYS to the old one',
    );
  }
  const db = await openConfiguredDatabase(config);
  try {
    const report = await rewrapSealedValues(db, sealer, sealedColumns(db));
    process.stdout.write(
      `Re-sealed under the new master key: ${report.signingKeys} signing key(s), ${report.totpSecrets} TOTP secret(s), ` +
        `${report.tenantDataKeys} tenant data key(s), ${report.listKeys} unsubscribe key(s), ` +
        `${report.trustSigningKeys} trust manifest signing key(s).\n`,
    );
    // Checked afresh: a process still running with only the old key may have sealed new values.
    const left = await rewrapSealedValues(db, sealer, sealedColumns(db), { dryRun: true });
    const remaining = Object.values(left).reduce((sum, count) => sum + count, 0);
    if (remaining > 0) {
      process.stdout.write(
        `${remaining} sealed value(s) still need a previous key (sealed meanwhile by a process that runs with the old key only?). ` +
          'Restart every process with both keys, then run this again. Keep ATTEST_PREVIOUS_MASTER_KEYS until it reports none.\n',
      );
      return 1;
    }
    process.stdout.write(
      'Checked again: every sealed value opens with the new key alone. Remove ATTEST_PREVIOUS_MASTER_KEYS and restart.\n',
    );
    return 0;
  } finally {
    await db.close();
  }
};

const masterKey: Command = async ([sub, ...args], config) => {
  parse(args, {});
  if (sub === 'generate') {
    // To the terminal only: the operator stores it in their secret manager.
    process.stdout.write(`${randomBytes(32).toString('base64')}\n`);
    return 0;
  }
  if (sub === 'rewrap') return masterKeyRewrap(config);
  throw new UsageError(`unknown master-key command "${sub ?? ''}"`);
};

/** A whole number from a flag, within bounds, or a usage error that names the flag. */
function wholeNumber(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!(parsed >= min && parsed <= max))
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}`);
  return parsed;
}

const trust: Command = async ([sub, ...args], config) => {
  if (sub !== 'rotate-key') throw new UsageError(`unknown trust command "${sub ?? ''}"`);
  const { values } = parse(args, { tenant: { type: 'string' } });
  const result = await withServices(config, async (services) => {
    const tenant = await services.tenants.requireBySlug(required(values.tenant, 'tenant'));
    return services.trust.rotateKey(systemContext(tenant.id));
  });
  process.stdout.write(
    `New trust manifest signing key ${result.kid}; it signs from the next manifest on. ` +
      `Retired ${result.retired.length} key(s): they stay in the key set, so earlier manifests still verify.\n`,
  );
  return 0;
};

/** Needs no database: it reads a trust center over HTTP, as anyone can. */
const verify: Command = async (args) => {
  const { values, positionals } = parse(
    args,
    {
      at: { type: 'string' },
      chain: { type: 'string' },
      content: { type: 'string' },
      'max-age-hours': { type: 'string' },
      'timeout-ms': { type: 'string' },
    },
    true,
  );
  const [url, ...extra] = positionals;
  if (!url || extra.length > 0) throw new UsageError('verify takes one URL, e.g. https://host/t/acme');
  const at = wholeNumber(values.at, 'at', 1, 2 ** 31 - 1);
  const chain = wholeNumber(values.chain, 'chain', 0, 2 ** 31 - 1);
  let verified: boolean;
  try {
    verified = await verifyTrustCenter(
      url,
      {
        ...(at !== undefined ? { at } : {}),
        ...(chain !== undefined ? { chain } : {}),
        ...(values.content ? { contentFile: values.content } : {}),
        maxAgeHours:
          wholeNumber(values['max-age-hours'], 'max-age-hours', 1, 100_000) ?? DEFAULT_MAX_AGE_HOURS,
        timeoutMs: wholeNumber(values['timeout-ms'], 'timeout-ms', 100, 600_000) ?? DEFAULT_TIMEOUT_MS,
      },
      (line) => process.stdout.write(`${line}\n`),
    );
  } catch (error) {
    if (error instanceof Error && /^(not a URL|the URL must)/.test(error.message))
      throw new UsageError(error.message);
    throw error;
  }
  return verified ? 0 : 1;
};
/** The backup commands live in backup-commands.ts; their usage errors are this file's. */
const usageErrorsOf =
  (command: Command): Command =>
  (args, config) =>
    command(args, config).catch((error: unknown) => {
      throw error instanceof BackupUsageError ? new UsageError(error.message) : error;
    });

export const commands: Record<string, Command> = {
  start,
  migrate: migrateCommand,
  tenant,
  content,
  user,
  keys,
  'master-key': masterKey,
  audit,
  trust,
  verify,
  backup: usageErrorsOf(backup),
  restore: usageErrorsOf(restore),
  'backup-key': usageErrorsOf(backupKey),
};
