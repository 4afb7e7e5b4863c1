import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { movableClock } from '../../../test/support/api-fixtures.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { multipart, pdfText, samplePdf } from '../../../test/support/documents.js';
import { documentsApp, PUBLIC_URL, publishedTenant } from '../../../test/support/documents-app.js';
import { startSmtpServer, type TestSmtpServer } from '../../../test/support/smtp.js';
import type { App } from '../../app.js';
import { mailOutbox } from '../../platform/mail/mail.schema.js';
import { accessGrants, accessRequests, ndaAcceptances, visitorSessions } from './access.schema.js';
import { documentDownloads } from './documents.schema.js';

const NDA =
  'Mutual Non-Disclosure Agreement\n\n1. You keep what you read confidential.\n2. You do not share it & you delete it when asked.';
const DAY_MS = 86_400_000;
let network = 0;

describe.each(testDatabaseKinds)('access requests, grants and downloads on $name', (kind) => {
  let smtp: TestSmtpServer;
  let setup: Awaited<ReturnType<typeof documentsApp>>;
  let app: App;
  let acme: Awaited<ReturnType<typeof publishedTenant>>;
  let bravo: Awaited<ReturnType<typeof publishedTenant>>;
  const clock = movableClock();
  let gatedId = '';
  let bravoGatedId = '';
  let publicId = '';

  async function api(tenant: typeof acme, method: string, url: string, payload?: object) {
    return app.server.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: { authorization: tenant.authorization },
      ...(payload ? { payload } : {}),
    });
  }

  async function upload(tenant: typeof acme, fields: Record<string, string>, filename: string, data: Buffer) {
    const body = multipart(fields, { filename, data });
    const response = await app.server.inject({
      method: 'POST',
      url: '/api/v1/documents',
      headers: { authorization: tenant.authorization, ...body.headers },
      payload: body.payload,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  }

  /** Each call comes from its own client network unless told otherwise, so rate limits stay out of the way. */
  function submit(
    slug: string,
    fields: Record<string, string | string[]>,
    options: { origin?: string | null; network?: string; contentType?: string; raw?: string } = {},
  ) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      for (const item of [value].flat()) form.append(name, item);
    }
    network += 1;
    return app.server.inject({
      method: 'POST',
      url: `/t/${slug}/access-requests`,
      remoteAddress: options.network ?? `198.51.${network % 250}.${Math.floor(network / 250) + 1}`,
      headers: {
        'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
        ...(options.origin === null ? {} : { origin: options.origin ?? PUBLIC_URL }),
      },
      payload: options.raw ?? form.toString(),
    });
  }

  const visitor = (email: string) => ({
    name: 'Riley Reviewer',
    email,
    company: 'Customer Co',
    reason: 'Vendor security review',
    documentId: gatedId,
    ndaVersion: '1',
    ndaAccepted: 'yes',
  });

  async function mailTo(address: string) {
    await app.mailer.kick();
    const found = smtp.received.filter((mail) => mail.to.includes(address));
    return found.at(-1);
  }

  function linkIn(text: string): string {
    const match = /http:\/\/127\.0\.0\.1:3000(\/t\/[a-z]+\/access\/[A-Za-z0-9_-]{43})/.exec(text);
    if (!match?.[1]) throw new Error(`no access link in: ${text}`);
    return match[1];
  }

  /** Follows an approval mail's link as a browser would: the page, then its button. Returns the cookie. */
  async function openLink(path: string): Promise<string> {
    const page = await app.server.inject({ url: path });
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain(`action="${path}"`);
    const opened = await app.server.inject({ method: 'POST', url: path, headers: { origin: PUBLIC_URL } });
    expect(opened.statusCode, opened.body).toBe(303);
    const setCookie = String(opened.headers['set-cookie']);
    expect(setCookie).toMatch(/^__Host-attest_visitor=[^;]+;/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('Secure');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    return setCookie.split(';')[0] ?? '';
  }

  const download = (slug: string, id: string, cookie?: string) =>
    app.server.inject({ url: `/t/${slug}/documents/${id}/download`, headers: cookie ? { cookie } : {} });

  async function approvedVisitor(tenant: typeof acme, slug: string, email: string, documentId: string) {
    const response = await submit(slug, { ...visitor(email), documentId, ndaVersion: '1' });
    expect(response.statusCode, response.body).toBe(303);
    const mail = await mailTo(email);
    if (!mail) throw new Error(`no mail to ${email}`);
    return { cookie: await openLink(linkIn(mail.text)), tenant };
  }

  beforeAll(async () => {
    smtp = await startSmtpServer();
    setup = await documentsApp(kind, { smtpUrl: smtp.url, clock });
    app = setup.app;
    acme = await publishedTenant(app, 'acme');
    bravo = await publishedTenant(app, 'bravo');
    await app.services.members.add(acme.system, {
      email: 'staff@acme.example',
      role: 'editor',
      password: 'a long unique passphrase 8271',
    });
    await app.services.members.add(acme.system, {
      email: 'viewer@acme.example',
      role: 'viewer',
      password: 'a long unique passphrase 8271',
    });
    expect((await api(acme, 'PUT', '/nda', { text: NDA })).statusCode).toBe(200);
    expect((await api(bravo, 'PUT', '/nda', { text: 'Bravo NDA' })).statusCode).toBe(200);
    gatedId = await upload(
      acme,
      { title: 'ACME SOC 2 report', category: 'certification_report', accessLevel: 'gated' },
      'soc2.pdf',
      await samplePdf('ACME SOC 2 Type II - confidential'),
    );
    publicId = await upload(
      acme,
      { title: 'ACME policy', accessLevel: 'public' },
      'policy.md',
      Buffer.from('# Policy'),
    );
    bravoGatedId = await upload(
      bravo,
      { title: 'BRAVO pentest', category: 'pentest', accessLevel: 'gated' },
      'pentest.pdf',
      await samplePdf('BRAVO pentest'),
    );
  }, 120_000);
  afterAll(async () => {
    await setup?.close();
    await smtp?.close();
  });

  it('shows the NDA on the form and records exactly the text shown; staff are e-mailed', async () => {
    const page = await app.server.inject({ url: '/t/acme/documents' });
    expect(page.statusCode).toBe(200);
    const sha = createHash('sha256').update(NDA, 'utf8').digest('hex');
    expect(page.body).toContain('Mutual Non-Disclosure Agreement');
    expect(page.body).toContain('2. You do not share it &amp; you delete it when asked.');
    expect(page.body).toContain(`SHA-256 <code>${sha}</code>`);
    expect(page.body).toContain('name="ndaVersion" value="1"');
    expect(page.body).toContain('action="/t/acme/access-requests"');

    const response = await submit('acme', visitor('riley@customer.example'));
    expect(response.statusCode, response.body).toBe(303);
    expect(response.headers.location).toBe('/t/acme/access-requests/received');

    const staffMail = await mailTo('staff@acme.example');
    expect(staffMail?.headers.subject).toBe('Access request waiting: Customer Co');
    expect(staffMail?.text).toContain('riley@customer.example');
    // Straight to the screen where the request is decided.
    expect(staffMail?.text).toContain('in the console: http://127.0.0.1:3000/admin/access-requests');
    expect(await mailTo('viewer@acme.example')).toBeUndefined();
    expect(await mailTo('riley@customer.example')).toBeUndefined();

    const listed = await api(acme, 'GET', '/access-requests?status=pending');
    const [request] = listed.json().items;
    expect(request).toMatchObject({
      email: 'riley@customer.example',
      company: 'Customer Co',
      status: 'pending',
      documentIds: [gatedId],
      nda: { version: 1, sha256: sha },
    });
    const [acceptance] = await app.db.orm.select().from(ndaAcceptances);
    expect(acceptance).toMatchObject({
      requestId: request.id,
      ndaVersion: 1,
      ndaSha256: sha,
      name: 'Riley Reviewer',
      email: 'riley@customer.example',
      company: 'Customer Co',
    });
    expect(acceptance?.client).toMatch(/^198\.51\.\d+\.0$/);
  });

  it('approval e-mails a single-use link that opens a session; the PDF carries the watermark; downloads are logged', async () => {
    const [request] = (await api(acme, 'GET', '/access-requests?status=pending')).json().items;
    const decided = await api(acme, 'POST', `/access-requests/${request.id}/decision`, {
      decision: 'approve',
      days: 10,
    });
    expect(decided.statusCode, decided.body).toBe(200);
    const { grant } = decided.json();
    expect(grant).toMatchObject({
      status: 'active',
      documentIds: [gatedId],
      email: 'riley@customer.example',
    });
    expect(
      (await api(acme, 'POST', `/access-requests/${request.id}/decision`, { decision: 'deny' })).statusCode,
    ).toBe(409);

    const mail = await mailTo('riley@customer.example');
    expect(mail?.headers.from).toContain('ACME Ltd Trust Center');
    expect(mail?.text).toContain('ACME SOC 2 report');
    const path = linkIn(mail?.text ?? '');
    const cookie = await openLink(path);
    const again = await app.server.inject({ method: 'POST', url: path, headers: { origin: PUBLIC_URL } });
    expect(again.statusCode, 'the link works once').toBe(404);

    const shared = await app.server.inject({ url: '/t/acme/documents/shared', headers: { cookie } });
    expect(shared.statusCode).toBe(200);
    expect(shared.body).toContain('ACME SOC 2 report');
    expect(shared.body).toContain('riley@customer.example');

    const file = await download('acme', gatedId, cookie);
    expect(file.statusCode, file.body.slice(0, 200)).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['cache-control']).toBe('no-store');
    expect(file.headers['content-disposition']).toContain('attachment; filename="soc2.pdf"');
    const text = await pdfText(file.rawPayload);
    expect(text).toContain('ACME SOC 2 Type II - confidential');
    const today = clock().toISOString().slice(0, 10);
    expect(text).toContain(
      `Shared with riley@customer.example (Customer Co) on ${today} - grant ${grant.id}`,
    );

    const log = (await api(acme, 'GET', `/documents/${gatedId}/downloads`)).json().items;
    expect(log[0]).toMatchObject({
      grantId: grant.id,
      version: 1,
      watermarked: true,
      actor: { kind: 'visitor', id: grant.id },
    });
  });

  it("does not serve a gated document without a grant, with another tenant's grant, or a revoked or expired one", async () => {
    expect((await download('acme', gatedId)).statusCode).toBe(403);
    expect((await download('acme', gatedId, '__Host-attest_visitor=garbage')).statusCode).toBe(403);
    expect((await download('acme', publicId)).statusCode, 'a public document needs nothing').toBe(200);

    // Bravo approves by rule; its visitor gets Bravo's document and nothing of Acme's.
    expect(
      (
        await api(bravo, 'PUT', '/access-rules', {
          autoApproveDomains: ['customer.example'],
          autoDenyDomains: [],
          grantDays: 30,
        })
      ).statusCode,
    ).toBe(200);
    const ofBravo = await approvedVisitor(bravo, 'bravo', 'sam@customer.example', bravoGatedId);
    expect((await download('bravo', bravoGatedId, ofBravo.cookie)).statusCode).toBe(200);
    expect((await download('acme', gatedId, ofBravo.cookie)).statusCode).toBe(403);
    expect(
      (await app.server.inject({ url: '/t/acme/documents/shared', headers: { cookie: ofBravo.cookie } }))
        .statusCode,
    ).toBe(403);

    // Acme approves by rule too; then revokes.
    expect(
      (
        await api(acme, 'PUT', '/access-rules', {
          autoApproveDomains: ['partner.example'],
          autoDenyDomains: [],
          grantDays: 1,
        })
      ).statusCode,
    ).toBe(200);
    const revoked = await approvedVisitor(acme, 'acme', 'kim@eu.partner.example', gatedId);
    expect((await download('acme', gatedId, revoked.cookie)).statusCode).toBe(200);
    const grants = (await api(acme, 'GET', '/grants')).json().items as { id: string; email: string }[];
    const kimGrant = grants.find((grant) => grant.email === 'kim@eu.partner.example');
    expect((await api(acme, 'DELETE', `/grants/${kimGrant?.id}`)).statusCode).toBe(204);
    expect((await download('acme', gatedId, revoked.cookie)).statusCode).toBe(403);
    expect((await api(acme, 'POST', `/grants/${kimGrant?.id}/extend`, { days: 5 })).statusCode).toBe(409);

    // Expiry: a one-day grant stops working after a day, and works again once extended.
    const expiring = await approvedVisitor(acme, 'acme', 'lee@partner.example', gatedId);
    expect((await download('acme', gatedId, expiring.cookie)).statusCode).toBe(200);
    try {
      clock.advance(DAY_MS + 1000);
      expect((await download('acme', gatedId, expiring.cookie)).statusCode).toBe(403);
      const late = { ...acme, authorization: await acme.freshAuthorization() };
      const leeGrant = (
        (await api(late, 'GET', '/grants')).json().items as { id: string; email: string; status: string }[]
      ).find((grant) => grant.email === 'lee@partner.example');
      expect(leeGrant?.status).toBe('expired');
      const extended = await api(late, 'POST', `/grants/${leeGrant?.id}/extend`, { days: 3 });
      expect(extended.json()).toMatchObject({ status: 'active' });
      expect((await download('acme', gatedId, expiring.cookie)).statusCode).toBe(200);
      // The browser's cookie was set to end with the old grant; the shared page moves it to the new end.
      const shared = await app.server.inject({
        url: '/t/acme/documents/shared',
        headers: { cookie: expiring.cookie },
      });
      expect(shared.statusCode).toBe(200);
      const refreshed = String(shared.headers['set-cookie']);
      expect(refreshed.startsWith(`${expiring.cookie};`)).toBe(true);
      expect(refreshed).toContain(`Expires=${new Date(extended.json().expiresAt).toUTCString()}`);
    } finally {
      clock.reset();
    }
  });

  it('decides by domain: auto-deny wins and sends nothing; the answer to the visitor is always the same', async () => {
    expect(
      (
        await api(acme, 'PUT', '/access-rules', {
          autoApproveDomains: ['partner.example'],
          autoDenyDomains: ['rival.example', 'partner.example'],
          grantDays: 30,
        })
      ).statusCode,
    ).toBe(200);
    const before = smtp.received.length;
    const denied = await submit('acme', visitor('spy@rival.example'));
    const both = await submit('acme', visitor('someone@partner.example'));
    expect(denied.statusCode).toBe(303);
    expect(both.statusCode).toBe(303);
    expect(denied.headers.location).toBe(both.headers.location);
    await app.mailer.kick();
    expect(smtp.received.length).toBe(before);
    const items = (await api(acme, 'GET', '/access-requests?status=denied')).json().items as {
      email: string;
      decisionSource: string;
    }[];
    expect(items.map((item) => item.email).sort()).toEqual(['someone@partner.example', 'spy@rival.example']);
    expect(items.every((item) => item.decisionSource === 'rule')).toBe(true);
  });

  it('answers hostile input to every public form with 4xx and changes nothing', async () => {
    const counts = async () => ({
      requests: (await app.db.orm.select().from(accessRequests)).length,
      acceptances: (await app.db.orm.select().from(ndaAcceptances)).length,
      grants: (await app.db.orm.select().from(accessGrants)).length,
      sessions: (await app.db.orm.select().from(visitorSessions)).length,
      mails: (await app.db.orm.select().from(mailOutbox)).length,
      downloads: (await app.db.orm.select().from(documentDownloads)).length,
    });
    const before = await counts();
    const good = visitor('pat@customer.example');
    const cases: [string, Promise<{ statusCode: number; body: string }>, number][] = [
      ['no Origin', submit('acme', good, { origin: null }), 403],
      ['a foreign Origin', submit('acme', good, { origin: 'https://evil.example' }), 403],
      ['an empty form', submit('acme', {}), 400],
      ['a bad e-mail', submit('acme', { ...good, email: 'not-an-address' }), 400],
      ['a huge name', submit('acme', { ...good, name: 'x'.repeat(10_000) }), 400],
      ['control characters', submit('acme', { ...good, company: 'Evil\u0000\u001b[31m' }), 400],
      ['a name given twice', submit('acme', { ...good, name: ['a', 'b'] }), 400],
      ["another tenant's document", submit('acme', { ...good, documentId: bravoGatedId }), 400],
      ['a public document', submit('acme', { ...good, documentId: publicId }), 400],
      ['a document id that is no uuid', submit('acme', { ...good, documentId: '../../etc' }), 400],
      ['the NDA not accepted', submit('acme', { ...good, ndaAccepted: '' }), 400],
      ['an outdated NDA version', submit('acme', { ...good, ndaVersion: '999' }), 409],
      [
        'prototype pollution',
        submit('acme', {}, { raw: '__proto__[polluted]=1&constructor[prototype][polluted]=1' }),
        400,
      ],
      ['JSON', submit('acme', {}, { contentType: 'application/json', raw: JSON.stringify(good) }), 415],
      ['a body over the limit', submit('acme', { ...good, reason: 'r'.repeat(20_000) }), 413],
      ['an unknown tenant', submit('nobody', good), 404],
      ['a malformed link', app.server.inject({ url: '/t/acme/access/short' }), 404],
      ['an unknown link', app.server.inject({ url: `/t/acme/access/${'A'.repeat(43)}` }), 404],
      [
        'an unknown link posted',
        app.server.inject({
          method: 'POST',
          url: `/t/acme/access/${'A'.repeat(43)}`,
          headers: { origin: PUBLIC_URL },
        }),
        404,
      ],
      [
        'a link posted cross-site',
        app.server.inject({ method: 'POST', url: `/t/acme/access/${'A'.repeat(43)}` }),
        403,
      ],
      ['an unknown document', download('acme', '00000000-0000-4000-8000-000000000000'), 404],
      ['a document id that is no uuid', download('acme', '..%2F..%2Fetc%2Fpasswd'), 404],
      ["another tenant's document by id", download('acme', bravoGatedId), 404],
      ['sign-out cross-site', app.server.inject({ method: 'POST', url: '/t/acme/documents/sign-out' }), 403],
    ];
    for (const [label, pending, status] of cases) {
      const response = await pending;
      expect(response.statusCode, `${label}: ${response.body.slice(0, 300)}`).toBe(status);
      expect(response.body).not.toContain(' at ');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await app.mailer.kick();
    expect(await counts()).toEqual(before);
  });

  it('rate-limits the request form per client network', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 11; index += 1) {
      statuses.push((await submit('acme', { name: 'x' }, { network: '203.0.113.9' })).statusCode);
    }
    expect(statuses.slice(0, 10).every((status) => status === 400)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('mails a visitor whose access is in force a new link on request, and answers anyone the same', async () => {
    expect(
      (
        await api(acme, 'PUT', '/access-rules', {
          autoApproveDomains: ['newlink.example'],
          autoDenyDomains: [],
          grantDays: 30,
        })
      ).statusCode,
    ).toBe(200);
    const approved = await approvedVisitor(acme, 'acme', 'ana@newlink.example', gatedId);
    let asked = 0;
    const askNewLink = (slug: string, payload: string, headers: Record<string, string> = {}) => {
      asked += 1;
      return app.server.inject({
        method: 'POST',
        url: `/t/${slug}/access/new-link`,
        remoteAddress: `192.0.2.${asked}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: PUBLIC_URL, ...headers },
        payload,
      });
    };
    /** The work runs after the answer (its timing must not tell): wait for it, then deliver. */
    const newLinkMails = async (address: string) => {
      await app.services.visitorLinks.settled();
      await app.mailer.kick();
      return smtp.received.filter(
        (mail) => mail.to.includes(address) && mail.text.includes('asked for a new link'),
      );
    };

    const form = await app.server.inject({ url: '/t/acme/access/new-link' });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('action="/t/acme/access/new-link"');
    expect((await app.server.inject({ url: '/t/acme/documents' })).body).toContain('/t/acme/access/new-link');

    // The address with access gets a new link; the same answer for an address without, and nothing is sent there.
    const sent = await askNewLink('acme', 'email=ANA%40newlink.example');
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe('/t/acme/access/new-link/sent');
    const unknown = await askNewLink('acme', 'email=nobody%40newlink.example');
    expect(unknown.statusCode).toBe(303);
    expect(unknown.headers.location).toBe(sent.headers.location);
    expect(await newLinkMails('nobody@newlink.example')).toHaveLength(0);
    const [mail] = await newLinkMails('ana@newlink.example');
    if (!mail) throw new Error('no new link mail');
    expect(mail.text).toContain('ACME SOC 2 report');
    // The new link opens a session of its own in another browser, and works once.
    const link = linkIn(mail.text);
    const elsewhere = await openLink(link);
    expect(elsewhere).not.toBe(approved.cookie);
    expect((await download('acme', gatedId, elsewhere)).statusCode).toBe(200);
    expect((await app.server.inject({ url: link })).statusCode).toBe(404);

    // Another trust center knows nothing of Acme's visitor.
    expect((await askNewLink('bravo', 'email=ana%40newlink.example')).statusCode).toBe(303);
    expect(await newLinkMails('ana@newlink.example')).toHaveLength(1);

    // Three new links per grant and hour, however many networks ask; the answer stays the same.
    for (let request = 0; request < 3; request += 1) {
      expect((await askNewLink('acme', 'email=ana%40newlink.example')).statusCode).toBe(303);
    }
    expect(await newLinkMails('ana@newlink.example')).toHaveLength(3);

    // Hostile input: a 4xx, and no mail.
    expect((await askNewLink('acme', 'email=not-an-address')).statusCode).toBe(400);
    expect((await askNewLink('acme', `email=${'a'.repeat(300)}%40newlink.example`)).statusCode).toBe(400);
    expect(
      (await askNewLink('acme', 'email=ana%40newlink.example', { origin: 'https://evil.example' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await askNewLink('acme', '{"email":"ana@newlink.example"}', { 'content-type': 'application/json' }))
        .statusCode,
    ).toBe(415);
    expect(await newLinkMails('ana@newlink.example')).toHaveLength(3);
  });
});
