import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bffClient, sessionOf } from '../../../test/support/bff-client.js';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { filesUnder } from '../../../test/support/documents.js';
import { documentsApp, publishedTenant } from '../../../test/support/documents-app.js';
import { readZip, sha256 } from '../../../test/support/zip-archives.js';
import type { App } from '../../app.js';
import { builtInRoles } from '../../platform/auth/roles.js';
import { SESSION_COOKIE } from '../../platform/http/session-cookie.js';
import { createExportRunner } from '../../worker/export-runner.js';
import type { ExportView } from './tenant-export.contract.js';

describe.each(testDatabaseKinds)('tenant exports through the API on $name', (kind) => {
  const time = manualClock(new Date());
  let env: Awaited<ReturnType<typeof documentsApp>>;
  let app: App;
  let a: Awaited<ReturnType<typeof publishedTenant>>;
  let b: Awaited<ReturnType<typeof publishedTenant>>;
  let dir: string;
  const logger = pino({ level: 'silent' });
  const runner = () =>
    createExportRunner({ db: app.db, vault: app.services.vault, clock: time.clock, logger });
  const call = async (method: 'GET' | 'POST', url: string, authorization: string) =>
    app.server.inject({ method, url: `/api/v1${url}`, headers: { authorization } });
  const tokenWith = async (tenantId: string, role: keyof typeof builtInRoles) =>
    `Bearer ${await app.tokens.mint({
      subject: '00000000-0000-4000-8000-000000000001',
      tenantId,
      permissions: [...builtInRoles[role].permissions],
    })}`;
  const archiveFiles = (tenantId: string) =>
    filesUnder(env.blobDir).filter((file) => file.includes(tenantId));

  beforeAll(async () => {
    env = await documentsApp(kind, { clock: time.clock });
    app = env.app;
    a = await publishedTenant(app, 'alpha');
    b = await publishedTenant(app, 'bravo');
    await app.services.documents.create(
      a.system,
      { title: 'Alpha report', category: 'pentest', accessLevel: 'public' },
      { filename: 'alpha.txt', data: Buffer.from('alpha report body') },
    );
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-export-api-'));
  }, 120_000);

  afterAll(async () => {
    await env?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is for owners: a viewer, an editor or an admin gets 403 and starts nothing', async () => {
    for (const role of ['viewer', 'editor', 'admin'] as const) {
      const authorization = await tokenWith(a.tenant.id, role);
      expect((await call('POST', '/exports', authorization)).statusCode, role).toBe(403);
      expect((await call('GET', '/exports', authorization)).statusCode, role).toBe(403);
    }
    const list = await call('GET', '/exports', await a.freshAuthorization());
    expect(list.json().items).toEqual([]);
  });

  it('runs as a job once with two workers, shows progress, and downloads once through a short-lived link', async () => {
    const owner = await a.freshAuthorization();
    const started = await call('POST', '/exports', owner);
    expect(started.statusCode).toBe(201);
    const job = started.json() as ExportView;
    expect(job.state).toBe('queued');
    expect((await call('POST', '/exports', owner)).json().error.code).toBe('tenant_export.already_running');
    expect((await call('POST', `/exports/${job.id}/link`, owner)).statusCode).toBe(409);

    // Two workers poll at once: one runs the export, the other finds nothing to take.
    const outcomes = await Promise.all([runner().runOnce(), runner().runOnce()]);
    expect(outcomes.sort()).toEqual(['done', null].sort());

    const done = (await call('GET', `/exports/${job.id}`, owner)).json() as ExportView;
    expect(done.state).toBe('done');
    expect(done.progress.percent).toBe(100);
    expect(done.progress.filesDone).toBe(done.progress.filesTotal);
    expect(done.sizeBytes).toBeGreaterThan(1000);
    const stored = archiveFiles(a.tenant.id).length;

    // Another tenant sees none of it.
    const other = await b.freshAuthorization();
    expect((await call('GET', `/exports/${job.id}`, other)).statusCode).toBe(404);
    expect((await call('POST', `/exports/${job.id}/link`, other)).statusCode).toBe(404);

    const link = await call('POST', `/exports/${job.id}/link`, owner);
    expect(link.statusCode).toBe(201);
    const { url, expiresAt } = link.json() as { url: string; expiresAt: string };
    expect(new Date(expiresAt).getTime() - time.clock().getTime()).toBe(15 * 60_000);
    const token = new URL(url, 'http://x').searchParams.get('token') as string;
    expect((await call('GET', `/exports/${job.id}/download?token=${token}`, other)).statusCode).toBe(404);
    expect((await call('GET', `/exports/${job.id}/download?token=${'x'.repeat(43)}`, owner)).statusCode).toBe(
      404,
    );

    const download = await app.server.inject({ method: 'GET', url, headers: { authorization: owner } });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/zip');
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="attest-export-/);
    expect(sha256(download.rawPayload)).toBe(done.sha256);
    const file = path.join(dir, 'download.zip');
    fs.writeFileSync(file, download.rawPayload);
    const entries = await readZip(file);
    expect(JSON.parse(String(entries.get('manifest.json'))).tenant.slug).toBe('alpha');
    expect([...entries.values()].map(String)).toContain('alpha report body');

    // Single use: the same link again is a 404; the archive is gone after the download.
    const again = await app.server.inject({ method: 'GET', url, headers: { authorization: owner } });
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('tenant_export.link_invalid');
    expect((await call('GET', `/exports/${job.id}`, owner)).json().state).toBe('downloaded');
    // The worker's next sweep removes the downloaded archive; no link can be made for it then.
    expect(await runner().runOnce()).toBe(null);
    expect(archiveFiles(a.tenant.id).length).toBeLessThan(stored);
    expect((await call('POST', `/exports/${job.id}/link`, owner)).statusCode).toBe(409);

    const audit = await app.services.audit.list(a.system, { limit: 20 });
    const actions = audit.events.map((event) => event.action);
    expect(actions).toContain('tenant.export_requested');
    expect(actions).toContain('tenant.export_downloaded');
  });

  it('a link expires after 15 minutes, and an archive nobody downloads is removed after a day', async () => {
    const owner = await a.freshAuthorization();
    const job = (await call('POST', '/exports', owner)).json() as ExportView;
    expect(await runner().runOnce()).toBe('done');
    const before = archiveFiles(a.tenant.id).length;
    const { url } = (await call('POST', `/exports/${job.id}/link`, owner)).json() as { url: string };
    time.advance(time.minutes(16));
    const late = await app.server.inject({
      method: 'GET',
      url,
      headers: { authorization: await a.freshAuthorization() },
    });
    expect(late.statusCode).toBe(404);

    time.advance(time.hours(25));
    expect(await runner().runOnce()).toBe(null);
    expect((await call('GET', `/exports/${job.id}`, await a.freshAuthorization())).json().state).toBe(
      'expired',
    );
    expect(archiveFiles(a.tenant.id).length).toBeLessThan(before);
  });

  it('a worker that died mid-export is taken over once its heartbeat is stale', async () => {
    const owner = await a.freshAuthorization();
    const job = (await call('POST', '/exports', owner)).json() as ExportView;
    const { claimExport } = await import('./tenant-export.jobs.js');
    // A worker took the job and died without a word.
    expect(await claimExport(app.db, a.tenant.id, job.id, time.clock())).not.toBeNull();
    expect(await runner().runOnce()).toBe(null);
    time.advance(time.minutes(3));
    expect(await runner().runOnce()).toBe('done');
    expect((await call('GET', `/exports/${job.id}`, await a.freshAuthorization())).json().state).toBe('done');
  });

  it('an export that cannot finish is failed with a reason, and its chunks are removed', async () => {
    const document = await app.services.documents.create(
      b.system,
      { title: 'Bravo report', category: 'pentest', accessLevel: 'gated' },
      { filename: 'bravo.txt', data: Buffer.from('bravo report body') },
    );
    const [version] = (await app.services.documents.get(b.system, document.id)).versions;
    expect(version).toBeDefined();
    for (const file of archiveFiles(b.tenant.id)) fs.rmSync(file);
    const owner = await b.freshAuthorization();
    const job = (await call('POST', '/exports', owner)).json() as ExportView;
    expect(await runner().runOnce()).toBe('failed');
    const failed = (await call('GET', `/exports/${job.id}`, owner)).json() as ExportView;
    expect(failed.state).toBe('failed');
    expect(failed.error).toBe('export_failed:BlobMissingError');
    expect(archiveFiles(b.tenant.id)).toEqual([]);
    expect((await call('POST', `/exports/${job.id}/link`, owner)).statusCode).toBe(409);
    // A new export can be asked for.
    expect((await call('POST', '/exports', owner)).statusCode).toBe(201);
  });

  it('downloads through the console (BFF), streamed, with the session of an owner', async () => {
    const password = 'a long and unusual passphrase 9921';
    await app.services.members.add(a.system, { email: 'owner@alpha.example', role: 'owner', password });
    const browser = bffClient(() => app);
    const login = await browser('POST', '/bff/login', {
      body: { tenant: 'alpha', email: 'owner@alpha.example', password },
    });
    expect(login.statusCode).toBe(200);
    const cookies = { [SESSION_COOKIE]: sessionOf(login) };
    const started = await browser('POST', '/bff/api/exports', { cookies });
    expect(started.statusCode).toBe(201);
    // Bravo's export from the test above is queued too: run until nothing is left.
    while ((await runner().runOnce()) !== null);
    const id = started.json().id as string;
    const link = await browser('POST', `/bff/api/exports/${id}/link`, { cookies });
    const url = String(link.json().url).replace(/^\/api\/v1/, '/bff/api');
    const download = await browser('GET', url, { cookies });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/zip');
    const done = (await browser('GET', `/bff/api/exports/${id}`, { cookies })).json() as ExportView;
    expect(sha256(download.rawPayload)).toBe(done.sha256);
    expect((await browser('GET', url, { cookies })).statusCode).toBe(404);
  });

  it('refuses a bad id with 400 and an unknown one with 404', async () => {
    const owner = await a.freshAuthorization();
    expect((await call('GET', '/exports/not-a-uuid', owner)).statusCode).toBe(400);
    expect((await call('GET', '/exports/00000000-0000-4000-8000-000000000000', owner)).statusCode).toBe(404);
    const long = `/exports/00000000-0000-4000-8000-000000000000/download?token=${'a'.repeat(500)}`;
    expect((await call('GET', long, owner)).statusCode).toBe(400);
  });
});
