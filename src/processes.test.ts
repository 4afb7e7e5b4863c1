import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, hasPostgres } from '../test/support/databases.js';
import { sampleDocument } from '../test/support/fixtures.js';
import { startSmtpServer, type TestSmtpServer } from '../test/support/smtp.js';
import type { App } from './app.js';
import { subscribers } from './modules/subscribers/subscribers.schema.js';
import { systemContext } from './platform/auth/context.js';
import { loadConfig } from './platform/config.js';
import { withTenant } from './platform/db/tenancy.js';
import { createLogger } from './platform/logging/logger.js';
import { RoleError, startApp, startWorkerProcess } from './processes.js';

const logger = createLogger('silent');

function scratchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'attest-roles-'));
}

describe('process roles on the embedded database', () => {
  it('refuses a web or worker process, before opening the database', async () => {
    const dataDir = scratchDir();
    const config = loadConfig({ ATTEST_DATA_DIR: dataDir, NODE_ENV: 'test' });
    await expect(startApp(config, logger, 'web')).rejects.toThrow(RoleError);
    await expect(startWorkerProcess(config, logger)).rejects.toThrow(/needs DATABASE_URL/);
    expect(fs.readdirSync(dataDir)).toEqual([]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});

describe.runIf(hasPostgres)('a web process and a worker process on one PostgreSQL database', () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let smtp: TestSmtpServer;
  let web: App | undefined;
  let worker: { close(): Promise<void> } | undefined;
  const dataDir = scratchDir();

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    smtp = await startSmtpServer();
    const config = loadConfig({
      DATABASE_URL: database.url,
      ATTEST_DATA_DIR: dataDir,
      ATTEST_MASTER_KEY: randomBytes(32).toString('base64'),
      SMTP_URL: smtp.url,
      NODE_ENV: 'test',
    });
    web = await startApp(config, logger, 'web');
    worker = await startWorkerProcess(config, logger);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await web?.close();
    await smtp?.close();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a post published through the web process reaches subscribers through the worker', async () => {
    if (!web) throw new Error('web process did not start');
    const { services, db } = web;
    const tenant = await services.tenants.create({ slug: 'roles', name: 'Roles Tenant' });
    const ctx = systemContext(tenant.id, 'roles-test');
    await services.transfer.importDraft(ctx, sampleDocument('Roles'), { publish: true });
    await withTenant(db, tenant.id, (tx) =>
      tx.insert(subscribers).values(
        ['a', 'b', 'c'].map((name) => ({
          tenantId: tenant.id,
          email: `${name}@customers.example`,
          topics: ['all' as const],
          confirmedAt: new Date(),
          createdAt: new Date(),
        })),
      ),
    );
    const post = await services.posts.create(ctx, {
      kind: 'general',
      title: 'Split roles',
      body: 'Delivered by the worker.',
    });
    await services.posts.publish(ctx, post.id);

    await expect
      .poll(
        () => smtp.received.filter((mail) => (mail.headers.subject ?? '').includes('Split roles')).length,
        {
          timeout: 30_000,
          interval: 250,
        },
      )
      .toBe(3);
    const recipients = smtp.received.flatMap((mail) => mail.to).sort();
    expect(recipients).toEqual(['a@customers.example', 'b@customers.example', 'c@customers.example']);
  }, 60_000);
});
