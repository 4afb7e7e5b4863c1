import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { filesUnder } from '../../../test/support/documents.js';
import { documentsApp } from '../../../test/support/documents-app.js';
import { buildFullTenant, tenantTables } from '../../../test/support/full-tenant.js';
import { alteredArchive, readZip, sha256, writeZip } from '../../../test/support/zip-archives.js';
import type { App } from '../../app.js';
import { systemContext, visitorContext } from '../../platform/auth/context.js';
import { resultRows } from '../../platform/db/client.js';
import { AppError } from '../../platform/errors.js';
import { verifyAuditChain } from '../audit/audit.service.js';
import { csvCell, entities, excludedTables, type Manifest } from './export-format.js';
import { writeTenantArchive } from './export-writer.js';
import { defaultImportLimits, type ImportLimits, importTenantArchive } from './import-reader.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

describe('CSV cells', () => {
  it('defuse spreadsheet formulas and keep quotes and commas inside one cell', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      expect(csvCell(`${start}HYPERLINK("x")`)).toBe(`"'${start}HYPERLINK(""x"")"`);
    }
    expect(csvCell('plain, "quoted"')).toBe('"plain, ""quoted"""');
    expect(csvCell(null)).toBe('');
    expect(csvCell(['a', 'b'])).toBe('"[""a"",""b""]"');
  });
});

describe.each(testDatabaseKinds)('tenant export and import on $name', (kind) => {
  let env: Awaited<ReturnType<typeof documentsApp>>;
  let app: App;
  let source: Awaited<ReturnType<typeof buildFullTenant>>;
  let dir: string;
  let archive: string;
  let manifest: Manifest;
  const secondVersion = Buffer.from('second version of the report, with a = sign\n');

  const exportTo = async (tenantId: string, file: string) => {
    const out = fs.createWriteStream(file);
    return writeTenantArchive(
      { db: app.db, vault: app.services.vault, clock: () => new Date() },
      tenantId,
      out,
    );
  };
  const importFile = (file: string, slug: string, limits: ImportLimits = defaultImportLimits) =>
    importTenantArchive(
      { db: app.db, vault: app.services.vault, sealer: env.sealer, clock: () => new Date() },
      file,
      { slug, name: `${slug} imported` },
      limits,
    );
  const rowsOf = async (table: string, tenantId: string) =>
    resultRows<{ row: Record<string, unknown> }>(
      await app.db.orm.execute(
        sql`select to_jsonb(t) as row from ${sql.identifier(table)} t where tenant_id = ${tenantId}`,
      ),
    ).map(({ row }) => row);
  const tenantCount = async () =>
    resultRows<{ n: number }>(await app.db.orm.execute(sql`select count(*)::int as n from tenants`))[0]?.n;

  beforeAll(async () => {
    env = await documentsApp(kind);
    app = env.app;
    source = await buildFullTenant(app, 'source');
    await app.services.documents.addVersion(source.system, source.documentId, {
      filename: 'report-v2.txt',
      data: secondVersion,
    });
    await app.services.faq.create(source.system, {
      key: 'formula',
      question: '=HYPERLINK("https://evil.example","click")',
      answer: '+1 and -1 and @sum',
    });
    for (let i = 0; i < 25; i += 1) {
      await app.services.subscribers.subscribe(visitorContext(source.tenant.id), {
        email: `reader${i}@list.example`,
        topics: ['incidents'],
      });
    }
    await app.services.publishing.publish(source.system);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-export-'));
    archive = path.join(dir, 'source.zip');
    manifest = await exportTo(source.tenant.id, archive);
  }, 120_000);

  afterAll(async () => {
    await env?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exports every tenant table, or names it as excluded with a reason', async () => {
    const exported = new Set(entities.map((spec) => spec.table));
    for (const table of await tenantTables(app)) {
      const covered = exported.has(table) || Boolean(excludedTables[table]);
      expect(covered, `tenant table ${table} is neither exported nor excluded`).toBe(true);
      expect(exported.has(table) && table in excludedTables, `${table} is both`).toBe(false);
    }
  });

  it('writes a manifest naming every file with its hash, size and rows, last', async () => {
    const entries = await readZip(archive);
    expect([...entries.keys()].at(-1)).toBe('manifest.json');
    expect(manifest.tenant.slug).toBe('source');
    expect(manifest.formatVersion).toBe(1);
    for (const file of manifest.files) {
      const data = entries.get(file.path);
      expect(data, file.path).toBeDefined();
      expect(sha256(data as Buffer)).toBe(file.sha256);
      expect((data as Buffer).length).toBe(file.bytes);
      if (file.path.endsWith('.jsonl')) {
        expect(String(data).split('\n').filter(Boolean).length).toBe(file.rows);
      }
    }
    expect(entries.size).toBe(manifest.files.length + 1);
    const subscribers = manifest.files.find((file) => file.path === 'data/subscribers/subscribers.jsonl');
    expect(subscribers?.rows).toBe(26);
    const audit = manifest.files.find((file) => file.path === 'data/audit/events.jsonl');
    expect(audit?.rows).toBeGreaterThan(5);
  });

  it('holds the documents decrypted, every version, and the audit log with its chain', async () => {
    const entries = await readZip(archive);
    const documents = manifest.files.filter((file) => file.documentVersionId);
    expect(documents).toHaveLength(2);
    const bodies = documents.map((file) => entries.get(file.path)?.toString());
    expect(bodies).toContain('source pentest report');
    expect(bodies).toContain(secondVersion.toString());
    const events = String(entries.get('data/audit/events.jsonl'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { seq: number; hash: string; prev_hash: string });
    for (let i = 1; i < events.length; i += 1) expect(events[i]?.prev_hash).toBe(events[i - 1]?.hash);
  });

  it('carries no secret: no password or key hash, token, TOTP or sealed key', async () => {
    const entries = await readZip(archive);
    const text = [...entries.values()].map(String).join('\n');
    for (const column of [
      'password_hash',
      'totp_secret_sealed',
      'secret_hash',
      'token_hash',
      'confirm_token_hash',
      'link_token_hash',
      'list_key_sealed',
      'sealed_key',
      'code_hash',
    ]) {
      expect(text.includes(`"${column}"`), column).toBe(false);
    }
    const secrets = resultRows<{ value: string }>(
      await app.db.orm.execute(sql`
        select secret_hash as value from api_keys where tenant_id = ${source.tenant.id}
        union all select token_hash from sessions where tenant_id = ${source.tenant.id}
        union all select link_token_hash from access_grants where tenant_id = ${source.tenant.id}
        union all select token_hash from invitations where tenant_id = ${source.tenant.id}
        union all select list_key_sealed from notification_settings where tenant_id = ${source.tenant.id}
        union all select password_hash from users where password_hash is not null
        union all select totp_secret_sealed from users where totp_secret_sealed is not null`),
    );
    expect(secrets.length).toBeGreaterThan(5);
    for (const { value } of secrets) expect(text.includes(value)).toBe(false);
    const members = String(entries.get('data/people/members.jsonl'));
    expect(members).toContain('owner@source.example');
  });

  it('writes CSV that a spreadsheet cannot run as a formula', async () => {
    const entries = await readZip(archive);
    const faq = String(entries.get('data/content/faq.csv'));
    expect(faq).toContain(`"'=HYPERLINK(""https://evil.example"",""click"")"`);
    expect(faq).toContain(`"'+1 and -1 and @sum"`);
    expect(faq).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });

  it('imports into a new tenant: the same trust center, entity by entity, under new ids', async () => {
    const result = await importFile(archive, 'copy');
    expect(result.documents).toBe(2);
    const copyId = result.tenantId;
    const ignored = new Set(['content_sha256', 'link_token_hash', 'list_key_sealed']);
    const normalized = (rows: Record<string, unknown>[], omit: readonly string[] = []) =>
      rows
        .map((row) =>
          JSON.stringify(
            Object.fromEntries(
              Object.entries(row)
                .filter(([key]) => !ignored.has(key) && !omit.includes(key))
                .sort(([a], [b]) => a.localeCompare(b)),
            ),
          ).replace(UUID, 'U'),
        )
        .sort();
    for (const spec of entities.filter((entity) => entity.import === 'restore')) {
      const before = await rowsOf(spec.table, source.tenant.id);
      const after = await rowsOf(spec.table, copyId);
      expect(after.length, spec.table).toBe(before.length);
      expect(normalized(after, spec.omit), spec.table).toEqual(normalized(before, spec.omit));
    }
    // No row of the copy shares an id with the source.
    const sourceIds = new Set((await rowsOf('documents', source.tenant.id)).map((row) => row.id));
    for (const row of await rowsOf('documents', copyId)) expect(sourceIds.has(row.id)).toBe(false);

    // The documents open, decrypted under the new tenant's own key, byte for byte.
    const copy = systemContext(copyId, 'test');
    const [document] = await app.services.documents.list(copy);
    expect(document?.title).toBe('Pentest report');
    const first = await app.services.documents.readFile(copy, document?.id as string, 1);
    const second = await app.services.documents.readFile(copy, document?.id as string, 2);
    expect(first.bytes.toString()).toBe('source pentest report');
    expect(sha256(second.bytes)).toBe(sha256(secondVersion));

    // The public site serves the same published snapshot, its links pointing at the new ids.
    const published = await app.services.publishing.latest(visitorContext(copyId));
    const original = await app.services.publishing.latest(visitorContext(source.tenant.id));
    expect(published?.version).toBe(original?.version);
    expect(JSON.stringify(published?.content).replace(UUID, 'U')).toBe(
      JSON.stringify(original?.content).replace(UUID, 'U'),
    );
    expect(JSON.stringify(published?.content)).toContain(document?.id as string);

    // The new tenant's audit log starts with the import, and its chain holds.
    const log = await app.services.audit.list(copy, { limit: 10 });
    expect(log.events.map((event) => event.action)).toContain('tenant.imported');
    expect((await verifyAuditChain(app.db, copyId)).ok).toBe(true);

    // A second round trip gives the same archive content (the format is stable).
    const again = path.join(dir, 'copy.zip');
    const copyManifest = await exportTo(copyId, again);
    const rows = (m: Manifest) =>
      Object.fromEntries(
        m.files.filter((file) => file.rows !== undefined).map((file) => [file.path, file.rows]),
      );
    const expected = rows(manifest);
    expected['data/audit/events.jsonl'] = 1;
    // The two reads above are downloads of the copy.
    expected['data/documents/downloads.jsonl'] = (expected['data/documents/downloads.jsonl'] ?? 0) + 2;
    expected['data/documents/downloads.csv'] = (expected['data/documents/downloads.csv'] ?? 0) + 2;
    expected['data/audit/events.csv'] = 1;
    // Members, invitations, keys, notices and evidence stay with the old tenant (the archive lists them).
    for (const spec of entities.filter(
      (entity) => entity.import === 'archive' && entity.table !== 'audit_events',
    )) {
      expected[`data/${spec.name}.jsonl`] = 0;
      if (spec.csv) expected[`data/${spec.name}.csv`] = 0;
    }
    expect(rows(copyManifest)).toEqual(expected);
  }, 120_000);

  describe('refuses a hostile or broken archive and changes nothing', () => {
    const withSlug = async (slug: string) =>
      resultRows<{ n: number }>(
        await app.db.orm.execute(sql`select count(*)::int as n from tenants where slug = ${slug}`),
      )[0]?.n;
    const refusal = async (file: string, slug: string, pattern: RegExp, limits?: ImportLimits) => {
      const tenantsBefore = await tenantCount();
      const slugBefore = await withSlug(slug);
      const blobsBefore = filesUnder(env.blobDir).length;
      const error = await importFile(file, slug, limits).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('tenant_import.refused');
      const message = (error as AppError).details
        .map((detail) => `${detail.path}: ${detail.message}`)
        .join('; ');
      expect(message).toMatch(pattern);
      expect(await tenantCount()).toBe(tenantsBefore);
      expect(filesUnder(env.blobDir).length).toBe(blobsBefore);
      expect(await withSlug(slug)).toBe(slugBefore);
    };
    /** Renames an entry in place (same length), in both headers: what a hand-made ZIP can hold. */
    const withRenamedEntry = async (from: string, to: string) => {
      const entries = await readZip(archive);
      entries.set(from, Buffer.from('payload'));
      const file = path.join(dir, `renamed-${to.length}-${Date.now()}.zip`);
      await writeZip(file, entries);
      const bytes = fs.readFileSync(file);
      const patched = Buffer.from(bytes.toString('latin1').replaceAll(from, to), 'latin1');
      fs.writeFileSync(file, patched);
      return file;
    };

    it('a path that climbs out (../) or is absolute', async () => {
      await refusal(await withRenamedEntry('xx/evil.txt', '../evil.txt'), 'climb', /unsafe path/);
      await refusal(await withRenamedEntry('xevil.txt', '/evil.txt'), 'absolute', /unsafe path/);
    });

    it('a zip bomb: an entry that inflates far beyond its size, or a total past the limit', async () => {
      const bomb = path.join(dir, 'bomb.zip');
      await alteredArchive(archive, bomb, { extra: {} });
      const zeros = Buffer.alloc(64 * 1024 * 1024);
      expect(deflateRawSync(zeros).length).toBeLessThan(200_000);
      await alteredArchive(archive, bomb, {
        files: {
          'data/content/faq.jsonl': (data) =>
            Buffer.concat([data, Buffer.from(`{"pad":"${'0'.repeat(8 * 1024 * 1024)}"}\n`)]),
        },
        manifest: (m) => {
          const files = m.files as { path: string; rows: number }[];
          const faq = files.find((file) => file.path === 'data/content/faq.jsonl');
          if (faq) faq.rows += 1;
        },
      });
      await refusal(bomb, 'bomb', /inflates more than 200 times/);
      await refusal(archive, 'small', /inflates past 1000 bytes/, {
        ...defaultImportLimits,
        maxTotalBytes: 1000,
      });
      await refusal(archive, 'bigdoc', /documents\/files\/.*: entry is larger than 10 bytes/, {
        ...defaultImportLimits,
        maxDocumentBytes: 10,
      });
    });

    it('a header that lies about the uncompressed size', async () => {
      const liar = path.join(dir, 'liar.zip');
      const entries = await readZip(archive);
      await writeZip(liar, entries);
      // The manifest is the last entry: shrink its declared size in the central directory.
      const bytes = fs.readFileSync(liar);
      const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
      let at = bytes.readUInt32LE(eocd + 16);
      let last = at;
      while (bytes.readUInt32LE(at) === 0x02014b50) {
        last = at;
        at += 46 + bytes.readUInt16LE(at + 28) + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
      }
      bytes.writeUInt32LE(10, last + 24);
      fs.writeFileSync(liar, bytes);
      await refusal(liar, 'liar', /manifest\.json/);
    });

    it('a manifest that lies about a hash, a size or a row count, or a file it does not name', async () => {
      const tampered = path.join(dir, 'tampered.zip');
      await alteredArchive(archive, tampered, {
        files: { 'data/subscribers/subscribers.jsonl': (data) => data },
        manifest: (m) => {
          const files = m.files as { path: string; sha256: string }[];
          const entry = files.find((file) => file.path === 'data/subscribers/subscribers.jsonl');
          if (entry) entry.sha256 = '0'.repeat(64);
        },
      });
      await refusal(tampered, 'tampered', /subscribers\.jsonl: its SHA-256 is not the one in the manifest/);

      const counted = path.join(dir, 'counted.zip');
      await alteredArchive(archive, counted, {
        manifest: (m) => {
          const files = m.files as { path: string; rows: number }[];
          const entry = files.find((file) => file.path === 'data/access/grants.jsonl');
          if (entry) entry.rows += 1;
        },
      });
      await refusal(counted, 'counted', /grants\.jsonl: it holds 1 rows, the manifest says 2/);

      const smuggled = path.join(dir, 'smuggled.zip');
      await alteredArchive(archive, smuggled, { extra: { 'data/extra.jsonl': Buffer.from('{}\n') } });
      await refusal(smuggled, 'smuggled', /in the archive but not in the manifest/);

      const document = manifest.files.find((file) => file.documentVersionId);
      const swapped = path.join(dir, 'swapped.zip');
      await alteredArchive(archive, swapped, {
        files: { [document?.path as string]: () => Buffer.from('another file') },
      });
      await refusal(swapped, 'swapped', /not the one its version row records/);
    });

    it('an unknown format version, no manifest, or not a ZIP at all', async () => {
      const future = path.join(dir, 'future.zip');
      await alteredArchive(archive, future, {
        manifest: (m) => {
          m.formatVersion = 2;
        },
      });
      await refusal(future, 'future', /unknown format version 2/);

      const headless = path.join(dir, 'headless.zip');
      const entries = await readZip(archive);
      entries.delete('manifest.json');
      await writeZip(headless, entries);
      await refusal(headless, 'headless', /no manifest/);

      const junk = path.join(dir, 'junk.zip');
      fs.writeFileSync(junk, 'not a zip');
      await refusal(junk, 'junk', /not a readable ZIP archive/);
    });

    it('a slug that exists already', async () => {
      await refusal(archive, 'source', /already exists/);
    });

    it('rows the database refuses: rolled back, and the blobs written meanwhile removed', async () => {
      const broken = path.join(dir, 'broken.zip');
      await alteredArchive(archive, broken, {
        files: {
          // After the documents in import order: their blobs are stored by then.
          'data/updates/posts.jsonl': (data) =>
            Buffer.from(String(data).replace(/"kind": ?"[a-z]+"/, '"kind": "nonsense"')),
        },
      });
      const blobsBefore = filesUnder(env.blobDir).length;
      const error = await importFile(broken, 'broken').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      const [left] = resultRows<{ n: number }>(
        await app.db.orm.execute(sql`select count(*)::int as n from tenants where slug = 'broken'`),
      );
      expect(left?.n).toBe(0);
      expect(filesUnder(env.blobDir).length).toBe(blobsBefore);
    });
  });
});
