import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPostgres } from '../../test/support/databases.js';
import { sampleDocument } from '../../test/support/fixtures.js';
import { blobStoreFor, createApp, openConfiguredDatabase, sealerFor } from '../app.js';
import { verifyAuditChain } from '../modules/audit/audit.service.js';
import { systemContext } from '../platform/auth/context.js';
import { BackupError } from '../platform/backup/archive.js';
import { RestoreIncompleteError } from '../platform/backup/database-dump.js';
import { type Config, loadConfig } from '../platform/config.js';
import { migrate } from '../platform/db/migrate.js';
import { commands } from './commands.js';

/*
 * docs/operations.md, "Back up and restore", as an operator follows it: `attest backup --out FILE`
 * on a running installation's database and files, everything lost, `attest restore FILE` into a new,
 * empty database and data directory, then Attest started on it. On the embedded database and on
 * PostgreSQL (an owner login role, and a backup role with BYPASSRLS, as the guide sets them up).
 */
const repositoryRoot = path.resolve(new URL('../..', import.meta.url).pathname);
const masterKey = randomBytes(32).toString('base64');
const backupKey = randomBytes(32).toString('base64');
const suffix = randomBytes(4).toString('hex');
const owner = `attest_bk_owner_${suffix}`;
const backupRole = `attest_bk_backup_${suffix}`;

function pgUrl(database: string, user: string): string {
  const url = new URL(process.env.TEST_DATABASE_URL ?? '');
  url.pathname = `/${database}`;
  url.username = user;
  url.password = '';
  return url.toString();
}

interface Site {
  env: Record<string, string>;
  /** Makes the (empty) place a restore goes into; returns the env that points at it. */
  emptyTarget(name: string): Promise<Record<string, string>>;
  /** Whether the target holds anything at all (tables, or a data directory's database). */
  isEmpty(env: Record<string, string>): Promise<boolean>;
  dropSource(): Promise<void>;
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-backup-'));
let admin: pg.Client | null = null;
const databases: string[] = [];

async function createPgDatabase(name: string) {
  await admin?.query(`CREATE DATABASE ${name} OWNER ${owner}`);
  databases.push(name);
}

const baseEnv = (dataDir: string) => ({
  ATTEST_DATA_DIR: dataDir,
  ATTEST_MASTER_KEY: masterKey,
  ATTEST_BACKUP_KEY: backupKey,
  ATTEST_BACKUP_INTERVAL_MINUTES: '0',
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
});

const sites: Record<'pglite' | 'postgres', () => Promise<Site>> = {
  async pglite() {
    const source = path.join(scratch, 'embedded-source');
    return {
      env: baseEnv(source),
      async emptyTarget(name) {
        return baseEnv(path.join(scratch, `embedded-${name}`));
      },
      async isEmpty(env) {
        const dir = env.ATTEST_DATA_DIR ?? '';
        return !fs.existsSync(path.join(dir, 'pgdata')) && !fs.existsSync(path.join(dir, 'blobs'));
      },
      async dropSource() {
        fs.rmSync(source, { recursive: true, force: true });
      },
    };
  },
  async postgres() {
    if (!admin) {
      admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE ROLE ${owner} LOGIN CREATEROLE`);
      await admin.query(`CREATE ROLE ${backupRole} LOGIN BYPASSRLS IN ROLE pg_read_all_data`);
    }
    const source = `attest_bk_src_${suffix}`;
    await createPgDatabase(source);
    return {
      env: {
        ...baseEnv(path.join(scratch, 'pg-source')),
        DATABASE_URL: pgUrl(source, owner),
        ATTEST_BACKUP_DATABASE_URL: pgUrl(source, backupRole),
      },
      async emptyTarget(name) {
        const database = `attest_bk_${name}_${suffix}`;
        await createPgDatabase(database);
        return { ...baseEnv(path.join(scratch, `pg-${name}`)), DATABASE_URL: pgUrl(database, owner) };
      },
      async isEmpty(env) {
        const client = new pg.Client({ connectionString: env.DATABASE_URL });
        await client.connect();
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'`);
        await client.end();
        return rows[0].n === 0 && !fs.existsSync(path.join(env.ATTEST_DATA_DIR ?? '', 'blobs'));
      },
      async dropSource() {
        await admin?.query(`DROP DATABASE ${source} WITH (FORCE)`);
        fs.rmSync(path.join(scratch, 'pg-source'), { recursive: true, force: true });
      },
    };
  },
};

afterAll(async () => {
  if (admin) {
    for (const database of databases) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    for (const role of [owner, backupRole]) await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  }
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** Runs one `attest` command in-process with this environment; what it printed. */
async function attest(env: Record<string, string>, ...args: string[]): Promise<string> {
  const [name = '', ...rest] = args;
  const command = commands[name];
  if (!command) throw new Error(`no command ${name}`);
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await command(rest, loadConfig(env));
    if (code !== 0) throw new Error(`attest ${name} exited ${code}: ${out}`);
    return out;
  } finally {
    process.stdout.write = write;
  }
}

async function openApp(config: Config) {
  const db = await openConfiguredDatabase(config);
  const applied = (await migrate(db)).applied;
  const app = await createApp({
    db,
    sealer: sealerFor(config),
    blobs: blobStoreFor(config),
    publicCacheMs: 0,
  });
  return { app, applied };
}

describe.each(hasPostgres ? (['pglite', 'postgres'] as const) : (['pglite'] as const))(
  'attest backup and attest restore (%s)',
  (kind) => {
    let site: Site;
    let archive: string;
    const before: { page: string; events: Awaited<ReturnType<typeof verifyAuditChain>>[] } = {
      page: '',
      events: [],
    };
    let tenantIds: string[] = [];
    let documentId = '';

    beforeAll(async () => {
      site = await sites[kind]();
      const { app } = await openApp(loadConfig(site.env));
      try {
        const tenant = await app.services.tenants.create({ slug: 'kept', name: 'Kept Ltd' });
        const other = await app.services.tenants.create({ slug: 'other', name: 'Other Ltd' });
        tenantIds = [tenant.id, other.id];
        for (const [id, label] of [
          [tenant.id, 'KEPT'],
          [other.id, 'OTHER'],
        ] as const)
          await app.services.transfer.importDraft(systemContext(id, 'test'), sampleDocument(label), {
            publish: true,
          });
        const document = await app.services.documents.create(
          systemContext(tenant.id, 'test'),
          { title: 'Pentest summary', accessLevel: 'public' },
          { filename: 'summary.txt', data: Buffer.from('the findings, all fixed') },
        );
        documentId = document.id;
        const page = await app.server.inject({ method: 'GET', url: '/t/kept/security' });
        expect(page.statusCode).toBe(200);
        before.page = page.body;
        for (const id of tenantIds) before.events.push(await verifyAuditChain(app.db, id));
      } finally {
        await app.close();
      }
      archive = path.join(scratch, `${kind}.attest`);
      const printed = await attest(site.env, 'backup', '--out', archive);
      expect(printed).toMatch(/^Backup written to .+: [\d.]+ MB, \d+ tables, \d+ rows, 1 blob\(s\)/);
      await site.dropSource();
    }, 120_000);

    it('restores into an empty database: the page is byte-identical, the document decrypts, every audit chain verifies', async () => {
      const env = await site.emptyTarget('restored');
      const printed = await attest(env, 'restore', archive);
      expect(printed).toMatch(/^Restored .+: \d+ tables, \d+ rows, 1 blob\(s\)/);
      const { app, applied } = await openApp(loadConfig(env));
      try {
        expect(applied).toEqual([]);
        const page = await app.server.inject({ method: 'GET', url: '/t/kept/security' });
        expect(page.body).toBe(before.page);
        for (const [index, id] of tenantIds.entries())
          expect(await verifyAuditChain(app.db, id)).toEqual(before.events[index]);
        const file = await app.services.documents.readFile(
          systemContext(tenantIds[0] ?? '', 'test'),
          documentId,
        );
        expect(file.bytes.toString()).toBe('the findings, all fixed');
      } finally {
        await app.close();
      }
      // Over it again: refused in one line, nothing changed.
      await expect(attest(env, 'restore', archive)).rejects.toThrow(
        kind === 'postgres' ? /^the database is not empty/ : /already holds a database/,
      );
    }, 120_000);

    it('refuses a tampered or cut archive before it changes anything', async () => {
      const env = await site.emptyTarget('tampered');
      const bytes = fs.readFileSync(archive);
      const cases: [string, Buffer, RegExp][] = [
        [
          'one bit flipped in the middle',
          Buffer.from(bytes),
          /is damaged or was altered \(chunk \d+ does not authenticate\)/,
        ],
        ['the last chunk cut off', bytes.subarray(0, bytes.length - 1000), /is damaged or was altered/],
        ['bytes appended', Buffer.concat([bytes, Buffer.from('more')]), /is damaged or was altered/],
        ['no archive at all', Buffer.from('PGDMP not ours'), /is not an Attest backup archive/],
      ];
      const middle = cases[0]?.[1] as Buffer;
      middle[Math.floor(middle.length / 2)] = (middle[Math.floor(middle.length / 2)] ?? 0) ^ 0x01;
      for (const [what, content, message] of cases) {
        const file = path.join(scratch, `${kind}-${what.replace(/\W+/g, '-')}.attest`);
        fs.writeFileSync(file, content);
        const refusal = attest(env, 'restore', file);
        await expect(refusal, what).rejects.toThrow(BackupError);
        await expect(refusal, what).rejects.toThrow(message);
        expect(await site.isEmpty(env), what).toBe(true);
      }
      // A blob store with a file in it, whatever the database: refused too.
      const stray = path.join(env.ATTEST_DATA_DIR ?? '', 'blobs', tenantIds[0] ?? '', tenantIds[1] ?? '');
      fs.mkdirSync(path.dirname(stray), { recursive: true });
      fs.writeFileSync(stray, 'a file of another installation');
      await expect(attest(env, 'restore', archive)).rejects.toThrow(/^the blob store is not empty/);
      fs.rmSync(path.join(env.ATTEST_DATA_DIR ?? '', 'blobs'), { recursive: true });
      // Another backup key: told apart from damage.
      await expect(
        attest({ ...env, ATTEST_BACKUP_KEY: randomBytes(32).toString('base64') }, 'restore', archive),
      ).rejects.toThrow(/was sealed with another backup key/);
      expect(await site.isEmpty(env)).toBe(true);
    }, 120_000);

    it('a restore killed half-way leaves a database that refuses to start', async () => {
      const env = await site.emptyTarget('killed');
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'restore', archive], {
        cwd: repositoryRoot,
        env: { ...process.env, ...env },
        stdio: 'ignore',
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Killed as soon as its marker is there: before the database and the files are all back.
      const marked = async () => {
        if (kind === 'pglite')
          return fs.existsSync(path.join(env.ATTEST_DATA_DIR ?? '', 'restore-incomplete'));
        const client = new pg.Client({ connectionString: env.DATABASE_URL });
        await client.connect();
        const { rows } = await client.query(`SELECT to_regclass('public.attest_restore_incomplete') AS t`);
        await client.end();
        return rows[0].t !== null;
      };
      const deadline = Date.now() + 60_000;
      while (!(await marked())) {
        if (Date.now() > deadline) throw new Error('the restore never set its marker');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      child.kill('SIGKILL');
      await exited;
      const config = loadConfig(env);
      const start = async () => {
        const db = await openConfiguredDatabase(config);
        try {
          await migrate(db);
        } finally {
          await db.close();
        }
      };
      await expect(start()).rejects.toThrow(RestoreIncompleteError);
      await expect(start()).rejects.toThrow(/was left by a restore that did not finish/);
      // And it is not taken for an empty target either.
      await expect(attest(env, 'restore', archive)).rejects.toThrow(/interrupted restore/);
    }, 120_000);
  },
);

describe.runIf(hasPostgres)('attest backup as the login role', () => {
  it('says that the role cannot read every row, and leaves no archive', async () => {
    const site = await sites.postgres();
    const env = { ...site.env, ATTEST_BACKUP_DATABASE_URL: site.env.DATABASE_URL ?? '' };
    const { app } = await openApp(loadConfig(env));
    await app.services.tenants.create({ slug: 'hidden', name: 'Hidden by RLS' });
    await app.close();
    const file = path.join(scratch, 'as-owner.attest');
    await expect(attest(env, 'backup', '--out', file)).rejects.toThrow(
      /may not read every row as this role: back up as a role with BYPASSRLS/,
    );
    expect(fs.readdirSync(scratch).filter((name) => name.includes('as-owner'))).toEqual([]);
    await site.dropSource();
  }, 120_000);
});
