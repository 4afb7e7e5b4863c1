import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { filesUnder, multipart, sampleDocx, samplePdf, samplePng } from '../../../test/support/documents.js';
import { documentsApp, publishedTenant } from '../../../test/support/documents-app.js';
import type { App } from '../../app.js';
import { documents, documentVersions } from './documents.schema.js';

const MAX_UPLOAD = 64 * 1024;

describe.each(testDatabaseKinds)('documents on $name', (kind) => {
  let setup: Awaited<ReturnType<typeof documentsApp>>;
  let app: App;
  let tenant: Awaited<ReturnType<typeof publishedTenant>>;
  const secret = 'TOP-SECRET-PENTEST-FINDING-4711';

  beforeAll(async () => {
    setup = await documentsApp(kind, { maxUploadBytes: MAX_UPLOAD });
    app = setup.app;
    tenant = await publishedTenant(app, 'docs');
  });
  afterAll(async () => setup?.close());

  async function upload(fields: Record<string, string>, file?: Parameters<typeof multipart>[1]) {
    const body = multipart(fields, file);
    return app.server.inject({
      method: 'POST',
      url: '/api/v1/documents',
      headers: { authorization: tenant.authorization, ...body.headers },
      payload: body.payload,
    });
  }

  const rowCounts = async () => ({
    documents: (await app.db.orm.select().from(documents)).length,
    versions: (await app.db.orm.select().from(documentVersions)).length,
    files: filesUnder(setup.blobDir).length,
  });

  it('stores an upload encrypted: the bytes on disk never contain the plaintext', async () => {
    const pdf = await samplePdf(secret);
    expect(pdf.includes(Buffer.from('%PDF-'))).toBe(true);
    const response = await upload(
      { title: 'Pentest 2026', category: 'pentest', accessLevel: 'private', expiresOn: '2027-06-30' },
      { filename: 'pentest-2026.pdf', data: pdf, contentType: 'application/pdf' },
    );
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json();
    expect(created).toMatchObject({
      title: 'Pentest 2026',
      category: 'pentest',
      accessLevel: 'private',
      expiresOn: '2027-06-30',
      currentVersion: {
        version: 1,
        filename: 'pentest-2026.pdf',
        mediaType: 'application/pdf',
        sizeBytes: pdf.length,
      },
    });
    const text = Buffer.from('plain text with the marker TEXT-MARKER-0815\n');
    const textUpload = await upload(
      { title: 'Notes', accessLevel: 'private' },
      { filename: 'notes.md', data: text, contentType: 'text/markdown' },
    );
    expect(textUpload.statusCode, textUpload.body).toBe(201);
    const files = filesUnder(setup.blobDir);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      expect(bytes.includes(Buffer.from('%PDF-')), file).toBe(false);
      expect(bytes.includes(Buffer.from('TEXT-MARKER-0815')), file).toBe(false);
      expect(bytes.includes(pdf.subarray(0, 64)), file).toBe(false);
    }
    // Staff download the exact bytes back (and the download is logged).
    const back = await app.server.inject({
      url: `/api/v1/documents/${created.id}/file`,
      headers: { authorization: tenant.authorization },
    });
    expect(back.statusCode).toBe(200);
    expect(back.headers['content-type']).toBe('application/pdf');
    expect(back.rawPayload.equals(pdf)).toBe(true);
    const log = await app.server.inject({
      url: `/api/v1/documents/${created.id}/downloads`,
      headers: { authorization: tenant.authorization },
    });
    expect(log.json().items).toHaveLength(1);
    expect(log.json().items[0]).toMatchObject({ version: 1, grantId: null, actor: { kind: 'user' } });
  });

  it('refuses oversized, disguised, empty and path-traversal uploads with 4xx and leaves nothing behind', async () => {
    const before = await rowCounts();
    const cases: [string, Parameters<typeof multipart>[1], number][] = [
      ['oversized', { filename: 'big.txt', data: Buffer.alloc(MAX_UPLOAD + 1, 0x61) }, 413],
      ['a PNG named .pdf', { filename: 'report.pdf', data: samplePng }, 422],
      [
        'an executable named .pdf',
        { filename: 'report.pdf', data: Buffer.from('MZ\x90\x00\x03\x00\x00\x00binary') },
        415,
      ],
      ['a PDF named .docx', { filename: 'report.docx', data: await samplePdf('x') }, 422],
      ['a DOCX named .xlsx', { filename: 'sheet.xlsx', data: sampleDocx() }, 422],
      ['a ZIP that is no Office file', { filename: 'a.docx', data: Buffer.from('PK\x03\x04garbage') }, 415],
      [
        'binary bytes named .txt',
        { filename: 'notes.txt', data: Buffer.from([0x00, 0x01, 0x02, 0xff]) },
        415,
      ],
      ['empty', { filename: 'empty.pdf', data: Buffer.alloc(0) }, 422],
      ['path traversal', { filename: '../../../etc/passwd.txt', data: Buffer.from('root:x:0:0') }, 400],
      ['Windows path traversal', { filename: '..\\..\\boot.txt', data: Buffer.from('x') }, 400],
      ['a control character', { filename: 'a\u0007b.txt', data: Buffer.from('x') }, 400],
      ['a right-to-left override', { filename: 'report\u202Efdp.txt', data: Buffer.from('x') }, 400],
      ['no extension', { filename: 'README', data: Buffer.from('x') }, 400],
    ];
    for (const [label, file, status] of cases) {
      const response = await upload({ title: `Refused: ${label}`, accessLevel: 'public' }, file);
      expect(response.statusCode, `${label}: ${response.body}`).toBe(status);
    }
    const missingFile = await upload({ title: 'No file' });
    expect(missingFile.statusCode).toBe(400);
    const json = await app.server.inject({
      method: 'POST',
      url: '/api/v1/documents',
      headers: { authorization: tenant.authorization },
      payload: { title: 'JSON', file: { filename: 'a.txt', data: 'aGVsbG8=' } },
    });
    expect(json.statusCode).toBe(400);
    expect(await rowCounts()).toEqual(before);
  });

  it('takes a directory-less name from a browser path and keeps the extension when shortening', async () => {
    const long = `${'a'.repeat(300)}.txt`;
    const response = await upload(
      { title: 'Named', accessLevel: 'private' },
      { filename: `C:\\fakepath\\${long}`, data: Buffer.from('x') },
    );
    expect(response.statusCode, response.body).toBe(201);
    const name = response.json().currentVersion.filename as string;
    expect(name.length).toBe(200);
    expect(name.endsWith('.txt')).toBe(true);
  });

  it('keeps every version, publishes public and gated documents at once, and never private ones', async () => {
    const first = await upload(
      { title: 'Security policy', category: 'policy', accessLevel: 'public', description: 'How we work.' },
      { filename: 'policy.txt', data: Buffer.from('version one') },
    );
    expect(first.statusCode, first.body).toBe(201);
    const id = first.json().id as string;
    const body = multipart({}, { filename: 'policy-v2.txt', data: Buffer.from('version two') });
    const second = await app.server.inject({
      method: 'POST',
      url: `/api/v1/documents/${id}/versions`,
      headers: { authorization: tenant.authorization, ...body.headers },
      payload: body.payload,
    });
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().version).toBe(2);
    const detail = await app.server.inject({
      url: `/api/v1/documents/${id}`,
      headers: { authorization: tenant.authorization },
    });
    expect(detail.json().versions.map((version: { version: number }) => version.version)).toEqual([2, 1]);
    const old = await app.server.inject({
      url: `/api/v1/documents/${id}/file?version=1`,
      headers: { authorization: tenant.authorization },
    });
    expect(old.body).toBe('version one');

    const gated = await upload(
      {
        title: 'SOC 2 Type II',
        category: 'certification_report',
        accessLevel: 'gated',
        expiresOn: '2020-01-31',
      },
      { filename: 'soc2.pdf', data: await samplePdf('soc2') },
    );
    expect(gated.statusCode, gated.body).toBe(201);

    const page = await app.server.inject({ url: '/t/docs/documents' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('Security policy');
    expect(page.body).toContain('SOC 2 Type II');
    expect(page.body).toContain('Expired on 2020-01-31');
    expect(page.body).toContain(`/t/docs/documents/${id}/download`);
    expect(page.body).not.toContain('Pentest 2026');
    expect(page.body).not.toContain('>Notes<');
    expect(page.body).toContain('aria-current="page">Documents');

    const json = await app.server.inject({ url: '/t/docs/documents.json' });
    const listed = json.json().documents as { title: string; access: string; download: string | null }[];
    expect(listed.map((document) => document.title)).toEqual(['Security policy', 'SOC 2 Type II']);
    expect(listed[1]).toMatchObject({ access: 'on_request', download: null });
    expect(json.body).not.toContain('versionId');
    const markdown = await app.server.inject({ url: '/t/docs/documents.md' });
    expect(markdown.body).toContain('#### Security policy');
    expect(markdown.body).toContain('On request');

    const download = await app.server.inject({ url: `/t/docs/documents/${id}/download` });
    expect(download.statusCode).toBe(200);
    expect(download.body).toBe('version two');
    expect(download.headers['content-disposition']).toContain('filename="policy-v2.txt"');
    expect(download.headers['content-type']).toBe('text/plain; charset=utf-8');

    // Made private: gone from the page and from downloads at once.
    const hidden = await app.server.inject({
      method: 'PATCH',
      url: `/api/v1/documents/${id}`,
      headers: { authorization: tenant.authorization },
      payload: { accessLevel: 'private' },
    });
    expect(hidden.statusCode, hidden.body).toBe(200);
    expect((await app.server.inject({ url: '/t/docs/documents' })).body).not.toContain('Security policy');
    expect((await app.server.inject({ url: `/t/docs/documents/${id}/download` })).statusCode).toBe(404);
  });

  it('unpublishes the last document when it is made private or deleted', async () => {
    // A tenant of its own: its only document, so the documents section becomes empty again.
    const solo = await publishedTenant(app, 'solo');
    const call = (method: 'PATCH' | 'DELETE', url: string, payload?: object) =>
      app.server.inject({
        method,
        url,
        headers: { authorization: solo.authorization },
        ...(payload ? { payload } : {}),
      });
    const body = multipart(
      { title: 'Only policy', accessLevel: 'public' },
      { filename: 'only.txt', data: Buffer.from('the only document') },
    );
    const created = await app.server.inject({
      method: 'POST',
      url: '/api/v1/documents',
      headers: { authorization: solo.authorization, ...body.headers },
      payload: body.payload,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect((await app.server.inject({ url: '/t/solo/documents' })).body).toContain('Only policy');

    expect((await call('PATCH', `/api/v1/documents/${id}`, { accessLevel: 'private' })).statusCode).toBe(200);
    expect((await app.server.inject({ url: '/t/solo/documents' })).body).not.toContain('Only policy');
    const download = await app.server.inject({ url: `/t/solo/documents/${id}/download` });
    expect(download.statusCode).toBe(404);
    expect(download.body).not.toContain('the only document');

    expect((await call('PATCH', `/api/v1/documents/${id}`, { accessLevel: 'public' })).statusCode).toBe(200);
    expect((await app.server.inject({ url: '/t/solo/documents' })).body).toContain('Only policy');
    expect((await call('DELETE', `/api/v1/documents/${id}`)).statusCode).toBe(204);
    expect((await app.server.inject({ url: '/t/solo/documents' })).body).not.toContain('Only policy');
  });

  it('deletes a document with every version and its blobs', async () => {
    const created = await upload(
      { title: 'Short-lived', accessLevel: 'public' },
      { filename: 'short.txt', data: Buffer.from('one') },
    );
    const id = created.json().id as string;
    const body = multipart({}, { filename: 'short.txt', data: Buffer.from('two') });
    await app.server.inject({
      method: 'POST',
      url: `/api/v1/documents/${id}/versions`,
      headers: { authorization: tenant.authorization, ...body.headers },
      payload: body.payload,
    });
    const before = await rowCounts();
    const removed = await app.server.inject({
      method: 'DELETE',
      url: `/api/v1/documents/${id}`,
      headers: { authorization: tenant.authorization },
    });
    expect(removed.statusCode).toBe(204);
    expect(await rowCounts()).toEqual({
      documents: before.documents - 1,
      versions: before.versions - 2,
      files: before.files - 2,
    });
    expect((await app.server.inject({ url: `/t/docs/documents/${id}/download` })).statusCode).toBe(404);
  });

  it('refuses to serve a tampered blob (500, logged) rather than altered bytes', async () => {
    const created = await upload(
      { title: 'Tamper target', accessLevel: 'public' },
      { filename: 'tamper.txt', data: Buffer.from('original content') },
    );
    const id = created.json().id as string;
    const before = new Set(filesUnder(setup.blobDir));
    const [version] = await app.db.orm.select().from(documentVersions);
    expect(version).toBeDefined();
    const detail = await app.server.inject({
      url: `/api/v1/documents/${id}`,
      headers: { authorization: tenant.authorization },
    });
    const size = detail.json().currentVersion.sizeBytes as number;
    const file = [...before].find(
      (candidate) =>
        fs.statSync(candidate).size === size + 48 && fs.statSync(candidate).mtimeMs >= Date.now() - 60_000,
    );
    expect(file).toBeDefined();
    const bytes = fs.readFileSync(file as string);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0xff;
    fs.writeFileSync(file as string, bytes);
    const response = await app.server.inject({ url: `/t/docs/documents/${id}/download` });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('original content');
  });
});
