import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sampleDocument } from '../../test/support/fixtures.js';
import { readZip } from '../../test/support/zip-archives.js';
import { blobStoreFor, openConfiguredDatabase, sealerFor } from '../app.js';
import { systemContext } from '../platform/auth/context.js';
import { loadConfig } from '../platform/config.js';
import { migrate } from '../platform/db/migrate.js';
import { createServices } from '../services.js';
import { exportTenantArchive, importTenantArchiveFile } from './tenant-archive.js';

/** The CLI's `tenant export` and `tenant import` on an embedded database in a data directory. */
describe('attest tenant export and import', () => {
  let dataDir: string;
  let outDir: string;
  let config: ReturnType<typeof loadConfig>;
  let blobOf: string;
  const stderr: string[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-cli-export-'));
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-cli-out-'));
    config = loadConfig({ ATTEST_DATA_DIR: dataDir });
    const db = await openConfiguredDatabase(config);
    try {
      await migrate(db);
      const services = createServices({ db, sealer: sealerFor(config), blobs: blobStoreFor(config) });
      for (const slug of ['acme', 'broken']) {
        const tenant = await services.tenants.create({ slug, name: `${slug} Ltd` });
        const ctx = systemContext(tenant.id, 'cli-test');
        await services.transfer.importDraft(ctx, sampleDocument(slug), { publish: true });
        await services.documents.create(
          ctx,
          { title: 'Report', category: 'pentest', accessLevel: 'gated' },
          { filename: 'report.txt', data: Buffer.from(`${slug} report`) },
        );
        if (slug === 'broken') blobOf = tenant.id;
      }
    } finally {
      await db.close();
    }
  }, 120_000);

  afterEach(() => {
    vi.restoreAllMocks();
    stderr.length = 0;
  });

  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  const captureStderr = () =>
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });

  it('writes the archive under a temporary name and renames it once the manifest is in', async () => {
    captureStderr();
    const out = path.join(outDir, 'acme.zip');
    expect(await exportTenantArchive(config, 'acme', out)).toBe(0);
    expect(fs.readdirSync(outDir)).toEqual(['acme.zip']);
    const entries = await readZip(out);
    expect([...entries.keys()].at(-1)).toBe('manifest.json');
    expect([...entries.values()].map(String)).toContain('acme report');
    expect(stderr.join('')).toMatch(/Exported tenant acme/);
    const db = await openConfiguredDatabase(config);
    try {
      const services = createServices({ db, sealer: sealerFor(config) });
      const tenant = await services.tenants.requireBySlug('acme');
      const log = await services.audit.list(systemContext(tenant.id, 'cli-test'), { limit: 5 });
      expect(log.events[0]?.action).toBe('tenant.exported');
    } finally {
      await db.close();
    }
  });

  it('leaves no file that looks complete when the export fails midway', async () => {
    // The document's sealed file is gone: the export fails when it reaches it, after the data files.
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? files(full) : [full];
      });
    for (const file of files(dataDir).filter((name) => name.includes(blobOf) && !name.endsWith('.json')))
      fs.rmSync(file);
    const out = path.join(outDir, 'broken.zip');
    await expect(exportTenantArchive(config, 'broken', out)).rejects.toThrow(/missing/);
    expect(fs.readdirSync(outDir).filter((name) => name.includes('broken'))).toEqual([]);
  });

  it('imports into a new tenant, and refuses an existing slug with exit 1 and a reason', async () => {
    const out = path.join(outDir, 'acme.zip');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await importTenantArchiveFile(config, { slug: 'acme-copy', name: 'Acme copy' }, out)).toBe(0);
    expect(String(write.mock.calls.at(-1)?.[0])).toMatch(/Imported .* as tenant acme-copy/);
    captureStderr();
    expect(await importTenantArchiveFile(config, { slug: 'acme', name: 'Acme again' }, out)).toBe(1);
    expect(stderr.join('')).toMatch(
      /refused, nothing was imported: slug: a tenant with slug "acme" already exists/,
    );
    expect(
      await importTenantArchiveFile(config, { slug: 'other', name: 'Other' }, path.join(outDir, 'none.zip')),
    ).toBe(1);
    expect(stderr.join('')).toMatch(/no such file/);
  });
});
