import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { multipart } from '../../../test/support/documents.js';
import { documentsApp, publishedTenant } from '../../../test/support/documents-app.js';
import type { App } from '../../app.js';
import { Sealer } from '../../platform/crypto/sealing.js';
import { mailOutbox } from '../../platform/mail/mail.schema.js';
import { createServices } from '../../services.js';
import { certifications } from './certifications.schema.js';

/*
 * No badge without a report: a certification is bound to a document of its own trust center (with
 * that file's SHA-256), its public badge links to where a visitor gets the report and turns
 * expired by itself after the end date, and staff are reminded once, 30 days before it.
 */

const REPORT = Buffer.from('# SOC 2 Type II report\nIndependent service auditor report.\n');
const REPORT_SHA256 = createHash('sha256').update(REPORT).digest('hex');

describe.each(testDatabaseKinds)('certifications on $name', (kind) => {
  const time = manualClock(new Date('2026-12-03T09:00:00Z'));
  let setup: Awaited<ReturnType<typeof documentsApp>>;
  let app: App;
  let tenant: Awaited<ReturnType<typeof publishedTenant>>;
  let other: Awaited<ReturnType<typeof publishedTenant>>;
  let report: string;
  let othersReport: string;

  async function api(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    who = tenant,
  ) {
    return app.server.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: await who.freshAuthorization() },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  }

  async function upload(who: typeof tenant, title: string, accessLevel: string): Promise<string> {
    const body = multipart(
      { title, category: 'certification_report', accessLevel },
      { filename: 'report.md', data: REPORT, contentType: 'text/markdown' },
    );
    const response = await app.server.inject({
      method: 'POST',
      url: '/api/v1/documents',
      headers: { authorization: await who.freshAuthorization(), ...body.headers },
      payload: body.payload,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id;
  }

  const valid = (documentId: string) => ({
    name: 'SOC 2 Type II',
    auditor: 'Example Assurance LLP',
    scope: 'The hosted trust-center service',
    validFrom: '2026-01-01',
    validUntil: '2027-01-31',
    documentId,
  });

  const rows = async () => app.db.orm.select().from(certifications);
  const overview = async (suffix = '') => app.server.inject({ url: `/t/cert/${suffix}` });

  beforeAll(async () => {
    setup = await documentsApp(kind, { clock: time.clock });
    app = setup.app;
    tenant = await publishedTenant(app, 'cert');
    other = await publishedTenant(app, 'cert-other');
    report = await upload(tenant, 'SOC 2 Type II Report 2026', 'gated');
    othersReport = await upload(other, 'Other SOC 2 Report', 'public');
  });
  afterAll(async () => setup?.close());

  it('refuses a certification without a report of its own trust center, and hostile input, creating nothing', async () => {
    const missing = await api('POST', '/certifications', valid('5b0a3f0e-8d52-4c1e-9a39-111111111111'));
    expect(missing.statusCode).toBe(404);
    const foreign = await api('POST', '/certifications', valid(othersReport));
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain('Other SOC 2 Report');
    const { documentId: _none, ...withoutDocument } = valid(report);
    const hostile: unknown[] = [
      withoutDocument,
      { ...valid(report), documentId: 'not-a-uuid' },
      { ...valid(report), validUntil: '2025-12-31' },
      { ...valid(report), validFrom: '01/01/2026' },
      { ...valid(report), name: '' },
      { ...valid(report), name: 'x'.repeat(121) },
      { ...valid(report), auditor: 'Line\nbreak' },
      { ...valid(report), scope: 'x'.repeat(2001) },
      { ...valid(report), validUntil: '2027-02-30' },
      'not an object',
    ];
    for (const body of hostile) {
      const response = await api('POST', '/certifications', body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 100)).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
    }
    expect(await rows()).toEqual([]);
    // No badge on the public page either.
    expect((await overview()).body).not.toContain('class="certifications"');
  });

  it("binds the report's file by its SHA-256 and shows a badge linked to the report's access flow", async () => {
    const created = await api('POST', '/certifications', valid(report));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'SOC 2 Type II',
      documentId: report,
      documentTitle: 'SOC 2 Type II Report 2026',
      documentSha256: REPORT_SHA256,
      documentCurrent: true,
      reminderSentOn: null,
    });
    const id = created.json().id;
    expect((await api('GET', `/certifications/${id}`, undefined, other)).statusCode).toBe(404);
    expect((await api('PATCH', `/certifications/${id}`, { auditor: 'B' }, other)).statusCode).toBe(404);
    expect((await api('DELETE', `/certifications/${id}`, undefined, other)).statusCode).toBe(404);
    // Re-pointing it at another tenant's report is refused and changes nothing.
    expect((await api('PATCH', `/certifications/${id}`, { documentId: othersReport })).statusCode).toBe(404);
    expect((await api('PATCH', `/certifications/${id}`, { validUntil: '2025-01-01' })).statusCode).toBe(400);
    expect((await api('GET', `/certifications/${id}`)).json()).toMatchObject({
      documentId: report,
      validUntil: '2027-01-31',
      auditor: 'Example Assurance LLP',
    });

    const html = (await overview()).body;
    expect(html).toContain(`id="certification-${id}"`);
    expect(html).toContain('<strong>SOC 2 Type II</strong> <span class="certification-state">Valid</span>');
    expect(html).toContain('<strong>Valid until 2027-01-31</strong>');
    expect(html).toContain(
      `Report: <a href="/t/cert/documents#document-${report}">SOC 2 Type II Report 2026</a> (on request) · SHA-256 <code>${REPORT_SHA256}</code>`,
    );
    const json = (await overview('overview.json')).json();
    expect(json.certifications).toEqual([
      {
        name: 'SOC 2 Type II',
        auditor: 'Example Assurance LLP',
        scope: 'The hosted trust-center service',
        validFrom: '2026-01-01',
        validUntil: '2027-01-31',
        state: 'valid',
        report: {
          title: 'SOC 2 Type II Report 2026',
          accessLevel: 'gated',
          url: `/t/cert/documents#document-${report}`,
          sha256: REPORT_SHA256,
        },
      },
    ]);
    expect((await overview('overview.md')).body).toContain(
      `- **SOC 2 Type II** · Valid until 2027-01-31 · audited by Example Assurance LLP · report: [SOC 2 Type II Report 2026](/t/cert/documents#document-${report}) (on request)`,
    );
    // The other tenant shows none.
    expect((await app.server.inject({ url: '/t/cert-other/' })).body).not.toContain('SOC 2 Type II');
  });

  it('mails the staff a reminder 30 days before the end date, once, with two workers', async () => {
    const owner = await app.services.members.add(tenant.system, {
      email: 'owner@cert.example',
      role: 'owner',
      password: 'a long unique passphrase 8271',
    });
    // An address as long as addresses get: the reminder's dedupe key must still fit.
    const long = `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.example`;
    await app.services.members.add(tenant.system, {
      email: long,
      role: 'admin',
      password: 'a long unique passphrase 8271',
    });
    await app.services.members.add(tenant.system, {
      email: 'viewer@cert.example',
      role: 'viewer',
      password: 'a long unique passphrase 8271',
    });
    expect(owner.userId).toBeTruthy();
    // Two workers on the same database, with the same clock.
    const second = createServices({ db: app.db, sealer: new Sealer(randomBytes(32)), clock: time.clock });
    const reminders = async () =>
      (await app.db.orm.select().from(mailOutbox)).filter((mail) => mail.subject.includes('expires on'));

    // 2026-12-31 is 31 days before 2027-01-31: not yet.
    time.advance(28 * 86_400_000);
    expect(
      await Promise.all([
        app.services.certifications.remindExpiring(tenant.tenant.id),
        second.certifications.remindExpiring(tenant.tenant.id),
      ]),
    ).toEqual([0, 0]);
    expect(await reminders()).toEqual([]);

    time.advance(86_400_000); // 2027-01-01: 30 days left
    const results = await Promise.all([
      app.services.certifications.remindExpiring(tenant.tenant.id),
      second.certifications.remindExpiring(tenant.tenant.id),
    ]);
    expect(results.sort()).toEqual([0, 1]);
    const sent = await reminders();
    // The owner and the admin may change documents, the viewer may not: one mail to each of the two.
    expect(sent.map((mail) => [mail.toAddress, mail.subject]).sort()).toEqual([
      [long, 'SOC 2 Type II expires on 2027-01-31'],
      ['owner@cert.example', 'SOC 2 Type II expires on 2027-01-31'],
    ]);
    expect(sent[0]?.textBody).toContain('30 days from today');

    // Later ticks do not send it again.
    time.advance(86_400_000);
    expect(await app.services.certifications.remindExpiring(tenant.tenant.id)).toBe(0);
    expect(await second.certifications.remindExpiring(tenant.tenant.id)).toBe(0);
    expect(await reminders()).toHaveLength(2);
    expect((await api('GET', '/certifications')).json().items[0].reminderSentOn).toBe('2027-01-31');
  });

  it('turns the badge expired by itself after the end date, without a publish', async () => {
    const versions = (await api('GET', '/snapshots')).json().total;
    time.advance(29 * 86_400_000); // 2027-01-31: the last valid day
    expect((await overview()).body).toContain('<strong>Valid until 2027-01-31</strong>');
    time.advance(86_400_000); // 2027-02-01
    const html = (await overview()).body;
    expect(html).toContain('<span class="certification-state">Expired</span>');
    expect(html).toContain('<strong>Expired on 2027-01-31</strong>');
    expect(html).toContain('certification certification-expired');
    expect((await overview('overview.json')).json().certifications[0].state).toBe('expired');
    expect((await overview('overview.md')).body).toContain('**SOC 2 Type II** · Expired on 2027-01-31');
    expect((await api('GET', '/snapshots')).json().total).toBe(versions);
  });

  it('a renewal (a new end date) is reminded again; deleting the report takes the badge with it', async () => {
    const [row] = await rows();
    if (!row) throw new Error('no certification');
    const renewed = await api('PATCH', `/certifications/${row.id}`, {
      validFrom: '2027-02-01',
      validUntil: '2027-03-01',
    });
    expect(renewed.statusCode, renewed.body).toBe(200);
    expect((await overview()).body).toContain('<strong>Valid until 2027-03-01</strong>');
    expect(await app.services.certifications.remindExpiring(tenant.tenant.id)).toBe(1);
    expect(await app.services.certifications.remindExpiring(tenant.tenant.id)).toBe(0);

    expect((await api('DELETE', `/documents/${report}`)).statusCode).toBe(204);
    expect(await rows()).toEqual([]);
    expect((await overview()).body).not.toContain('class="certifications"');
  });
});
