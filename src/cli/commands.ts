import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { openConfiguredDatabase, sealerFor, startApp } from '../app.js';
import { formatTrustCenterFile, parseTrustCenterFile } from '../modules/content/transfer.service.js';
import { seedDemoIfEmpty } from '../modules/demo/demo.js';
import { systemContext } from '../platform/auth/context.js';
import type { Config } from '../platform/config.js';
import type { Database } from '../platform/db/client.js';
import { migrate } from '../platform/db/migrate.js';
import { createLogger } from '../platform/logging/logger.js';
import { createServices, type Services } from '../services.js';

export class UsageError extends Error {}

export const usage = `Usage: attest <command> [options]

  start [--no-demo]                       run everything (public site, API, worker) in one process
  migrate                                 apply pending database migrations
  tenant create --slug S --name N [--domain D]
  tenant list
  tenant set-domain --slug S (--domain D | --clear)
  content export --tenant S [--out FILE]  write the draft as YAML (stdout by default)
  content import --tenant S FILE [--publish]
                                          replace the draft with FILE (all or nothing)
  content publish --tenant S              publish the draft as a new snapshot
  content history --tenant S              list published snapshots

Configuration comes from the environment: PORT, HOST, ATTEST_DATA_DIR, DATABASE_URL,
ATTEST_PUBLIC_URL, NODE_ENV, LOG_LEVEL (see README).
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

const start: Command = async (args, config) => {
  const { values } = parse(args, { 'no-demo': { type: 'boolean' } });
  const logger = createLogger(config.logLevel);
  const app = await startApp(config, logger);
  if (!values['no-demo']) {
    const demo = await seedDemoIfEmpty(app.services);
    if (demo) logger.info({ tenantId: demo.id }, 'demo trust center created');
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  await app.server.listen({ port: config.port, host: config.host });
  const tenants = await app.services.tenants.list();
  process.stdout.write(
    `\nAttest is running (${app.db.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'}).\n` +
      tenants.map((tenant) => `  ${tenant.name}: ${config.publicUrl}/t/${tenant.slug}/security\n`).join('') +
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
      process.stdout.write(`${row.slug}\t${row.status}\t${row.customDomain ?? '-'}\t${row.name}\n`);
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

export const commands: Record<string, Command> = { start, migrate: migrateCommand, tenant, content };
