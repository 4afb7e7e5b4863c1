import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { PDFDocument } from 'pdf-lib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { filesUnder, multipart, pdfText, samplePdf } from '../../../test/support/documents.js';
import { PUBLIC_URL, publishedTenant } from '../../../test/support/documents-app.js';
import { type App, createApp } from '../../app.js';
import { Sealer } from '../../platform/crypto/sealing.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { createLocalBlobStore } from '../../platform/storage/local-blob-store.js';
import { accessRequests } from './access.schema.js';
import { documentDownloads, documents, documentVersions } from './documents.schema.js';
import { issueGrant } from './grants.service.js';

const pdf = (text: string) => Buffer.from(text, 'latin1');
const catalog = '1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n';
const trailer = 'trailer\n<< /Root 1 0 R >>\n%%EOF';

/** A PDF that pdf-lib refuses to open without the password: /Encrypt in the trailer. */
async function encryptedPdf(): Promise<Buffer> {
  const plain = await PDFDocument.create();
  plain.addPage([200, 200]);
  const text = Buffer.from(await plain.save({ useObjectStreams: false })).toString('latin1');
  const encrypt =
    '/Encrypt << /Filter /Standard /V 1 /R 2 /O (0123456789abcdef) /U (0123456789abcdef) /P -4 >>';
  return pdf(text.replace(/trailer\s*<</, `trailer\n<<\n${encrypt}\n`));
}

/**
 * Files that start like a PDF but cannot be watermarked, each failing at a different stage:
 * some pdf-lib does not open, some it opens and then cannot stamp (or save).
 */
async function badPdfs(): Promise<[string, Buffer][]> {
  const good = await samplePdf('cut short');
  return [
    ['the minimal header and trailer', pdf('%PDF-1.4\n%x\n%%EOF')],
    ['only the magic bytes', pdf('%PDF-')],
    ['a catalog without a page tree', pdf(`%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n${trailer}`)],
    [
      'a page tree that contains itself',
      pdf(`%PDF-1.4\n${catalog}2 0 obj\n<< /Type /Pages /Kids [2 0 R] /Count 1 >>\nendobj\n${trailer}`),
    ],
    [
      'a page whose contents are a number',
      pdf(
        `%PDF-1.4\n${catalog}2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 7 >>\nendobj\n${trailer}`,
      ),
    ],
    ['a PDF cut in half', good.subarray(0, Math.floor(good.length / 2))],
    ['an encrypted PDF', await encryptedPdf()],
  ];
}

/** A log that the test can read: the app's pino logger writes JSON lines here. */
function memoryLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

describe.each(testDatabaseKinds)('gated PDFs that cannot be watermarked on $name', (kind) => {
  let app: App;
  let blobDir = '';
  let tenant: Awaited<ReturnType<typeof publishedTenant>>;
  let corpus: [string, Buffer][] = [];
  const log = memoryLog();

  async function post(url: string, fields: Record<string, string>, filename: string, data: Buffer) {
    const body = multipart(fields, { filename, data, contentType: 'application/pdf' });
    return app.server.inject({
      method: 'POST',
      url: `/api/v1${url}`,
      headers: { authorization: tenant.authorization, ...body.headers },
      payload: body.payload,
    });
  }
  const rowCounts = async () => ({
    documents: (await app.db.orm.select().from(documents)).length,
    versions: (await app.db.orm.select().from(documentVersions)).length,
    blobs: filesUnder(blobDir).length,
  });

  /** A visitor session for an approved grant of the document, as the e-mailed link would open. */
  async function visitorCookie(documentId: string): Promise<{ cookie: string; grantId: string }> {
    const tenantId = tenant.tenant.id;
    const now = new Date();
    const { token, grantId } = await withTenant(app.db, tenantId, async (tx) => {
      const [request] = await tx
        .insert(accessRequests)
        .values({
          tenantId,
          name: 'Riley Reviewer',
          email: 'riley@customer.example',
          company: 'Customer Co',
          reason: 'Vendor review',
          documentIds: [documentId],
          status: 'approved',
          createdAt: now,
        })
        .returning();
      if (!request) throw new Error('no request');
      const issued = await issueGrant(tx, {
        tenantId,
        requestId: request.id,
        email: request.email,
        company: request.company,
        documentIds: [documentId],
        days: 5,
        createdBy: 'test',
        now,
      });
      return { token: issued.token, grantId: issued.grant.id };
    });
    const { cookie } = await app.services.grants.openLink(tenantId, token, null);
    return { cookie: `__Host-attest_visitor=${cookie}`, grantId };
  }

  beforeAll(async () => {
    blobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-watermark-'));
    app = await createApp({
      db: await kind.create(),
      sealer: new Sealer(randomBytes(32)),
      blobs: createLocalBlobStore(blobDir),
      publicCacheMs: 0,
      publicUrl: PUBLIC_URL,
      logger: log.logger,
    });
    tenant = await publishedTenant(app, 'marks');
    corpus = await badPdfs();
  });

  afterAll(async () => {
    await app?.close();
    fs.rmSync(blobDir, { recursive: true, force: true });
  });

  it('refuses, on both upload routes, every PDF that the download could not watermark', async () => {
    const kept = await post(
      '/documents',
      { title: 'Kept', accessLevel: 'gated' },
      'kept.pdf',
      await samplePdf('v1'),
    );
    expect(kept.statusCode, kept.body).toBe(201);
    const keptId = kept.json().id as string;
    const before = await rowCounts();
    for (const [label, bytes] of corpus) {
      for (const accessLevel of ['gated', 'public']) {
        const created = await post('/documents', { title: `Bad: ${label}`, accessLevel }, 'bad.pdf', bytes);
        expect(created.statusCode, `${label} (${accessLevel}): ${created.body}`).toBe(422);
        expect(created.json()).toMatchObject({
          error: {
            code: 'document.pdf_unreadable',
            message: expect.stringContaining('cannot be watermarked'),
          },
        });
      }
      const version = await post(`/documents/${keptId}/versions`, {}, 'bad.pdf', bytes);
      expect(version.statusCode, `${label} as a new version: ${version.body}`).toBe(422);
      expect(version.json()).toMatchObject({ error: { code: 'document.pdf_unreadable' } });
    }
    expect(await rowCounts()).toEqual(before);
    // An ordinary PDF still goes in, as a document and as a version.
    expect(
      (await post(`/documents/${keptId}/versions`, {}, 'kept.pdf', await samplePdf('v2'))).statusCode,
    ).toBe(201);
  });

  it('answers a stored file that cannot be watermarked with a clear error, logged with the document id', async () => {
    const created = await post(
      '/documents',
      { title: 'Old report', accessLevel: 'gated' },
      'old.pdf',
      await samplePdf('fine'),
    );
    expect(created.statusCode, created.body).toBe(201);
    const { id: documentId, currentVersion } = created.json() as {
      id: string;
      currentVersion: { id: string };
    };
    const { cookie, grantId } = await visitorCookie(documentId);
    const download = () =>
      app.server.inject({ url: `/t/marks/documents/${documentId}/download`, headers: { cookie } });
    const fine = await download();
    expect(fine.statusCode, fine.body.slice(0, 200)).toBe(200);
    expect(await pdfText(fine.rawPayload)).toContain(`grant ${grantId}`);

    // A file stored before uploads were tried with a watermark: put in place as existing data is.
    const [label, bytes] = corpus[0] as [string, Buffer];
    const blobId = await app.services.vault.write(tenant.tenant.id, bytes);
    await app.db.orm.execute(
      sql`update document_versions set blob_id = ${blobId}, size_bytes = ${bytes.length} where id = ${currentVersion.id}`,
    );
    const downloadsBefore = (await app.db.orm.select().from(documentDownloads)).length;
    log.lines.length = 0;
    const failed = await download();
    expect(failed.statusCode, label).toBe(500);
    // The public site answers a visitor with its own page: the status, a title and the message.
    expect(failed.headers['content-type']).toContain('text/html');
    expect(failed.body).toContain('Not available');
    expect(failed.body).toContain('cannot be prepared for download with your watermark');
    expect(failed.body).not.toContain('riley@customer.example');
    const line = log.lines.find((entry) => entry.msg === 'watermarking a gated document failed');
    expect(line).toMatchObject({ documentId, versionId: currentVersion.id, level: 50 });
    expect(JSON.stringify(log.lines)).not.toContain('riley@customer.example');
    expect(log.lines.some((entry) => entry.msg === 'unhandled error')).toBe(false);
    // Nothing was delivered, so nothing is logged as a download, and never the file unmarked.
    expect((await app.db.orm.select().from(documentDownloads)).length).toBe(downloadsBefore);
  });
});
