import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pdfText, samplePdf } from '../support/documents.js';
import { OWNER, type RunningAttest, startAttest } from './support/attest-server.js';
import {
  expectAccessible,
  expectNoTokenInStorage,
  launchBrowser,
  openTab,
  signIn,
  type Tab,
} from './support/browser.js';

const VISITOR = {
  name: 'Riley Reviewer',
  email: 'riley@customer.example',
  company: 'Customer Example GmbH',
  reason: 'Vendor security review before the renewal.',
} as const;
const VIEWER = {
  email: 'viewer@e2e.attest.example',
  password: 'patient violet compass harbour 2207',
  tenant: 'demo',
} as const;
const TITLE = 'SOC 2 Type II report';
const NDA = [
  'Mutual confidentiality agreement',
  'The documents shared with you are confidential. Use them only to assess our security, and do not pass them on.',
  'This agreement ends two years after your last download.',
].join('\n\n');

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

async function goTo(page: Page, link: string, heading = link) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** A visitor's page keeps nothing readable by scripts: the visitor session cookie is HttpOnly. */
async function expectVisitorCookieHidden(tab: Tab) {
  expect(await tab.page.evaluate('document.cookie'), 'document.cookie').toBe('');
  for (const cookie of await tab.context.cookies()) {
    expect(cookie.httpOnly, `${cookie.name} is HttpOnly`).toBe(true);
    expect(cookie.secure, `${cookie.name} is Secure`).toBe(true);
  }
}

/**
 * Issue #5 end to end: staff upload a gated PDF in the console, a visitor requests it and accepts
 * the NDA, staff approve, the visitor opens the mailed single-use link and downloads a copy
 * watermarked for them; the link works once, and revoking the grant ends the downloads.
 */
describe('sharing a gated document with a security reviewer', () => {
  let attest: RunningAttest;
  let browser: Browser;
  let staff: Tab;
  let visitor: Tab;
  let firstPdf: Buffer;
  let secondPdf: Buffer;
  let link = '';
  let downloadUrl = '';

  beforeAll(async () => {
    [attest, browser, firstPdf, secondPdf] = await Promise.all([
      startAttest({ template: inject('attestTemplate') }),
      launchBrowser(),
      samplePdf('SOC 2 Type II report, first issue'),
      samplePdf('SOC 2 Type II report, corrected issue'),
    ]);
    [staff, visitor] = await Promise.all([openTab(browser), openTab(browser)]);
  });

  afterAll(async () => {
    await browser?.close();
    await attest?.stop();
  });

  it('staff publish an NDA and upload a gated PDF; a refused file is explained at the file field', async () => {
    const { page } = staff;
    await signIn(page, attest.url, OWNER);

    await goTo(page, 'NDA and access rules');
    await page.getByText('There is no NDA yet').waitFor();
    const ndaText = page.getByLabel(/^NDA text/);
    await ndaText.fill(NDA);
    await page.getByRole('button', { name: 'Publish as version 1' }).click();
    await page.getByText('Version 1 is the NDA visitors accept now.').waitFor();
    // The fingerprint visitors see next to the text is the SHA-256 of exactly this text.
    const ndaSha256 = createHash('sha256').update(NDA, 'utf8').digest('hex');
    await page.getByText(ndaSha256).waitFor();
    // The rules validate as you type with the API's domain rule, line by line.
    const approveDomains = page.getByLabel('Approve automatically');
    await approveDomains.fill('customer.example\nnot a domain');
    await page.getByText('Line 2 (“not a domain”): must be a domain such as example.com.').waitFor();
    expect(await approveDomains.getAttribute('aria-invalid')).toBe('true');
    await approveDomains.fill('');
    await expect.poll(() => approveDomains.getAttribute('aria-invalid')).toBeNull();

    await goTo(page, 'Documents');
    // The demo ships one public document of its own.
    await page.getByRole('row', { name: /Attest security overview.*Public/ }).waitFor();
    const form = page.getByRole('form', { name: 'Upload a document' });
    await form.getByLabel(/^Title/).fill(TITLE);
    await form.getByLabel('Category').selectOption('certification_report');
    await form.getByLabel('Access', { exact: true }).selectOption('gated');
    await form.getByLabel('Valid until').fill(inDays(20));
    const file = form.getByLabel(/^File/);
    // Text named like a PDF: only the server, reading the bytes, can tell. Its refusal (422) is
    // shown next to the file field, and nothing is stored.
    await file.setInputFiles({
      name: 'report.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('plain text'),
    });
    await form.getByRole('button', { name: 'Upload document' }).click();
    await form.getByText("The file's content does not match its extension.").waitFor();
    expect(await file.getAttribute('aria-invalid')).toBe('true');
    await form.getByRole('alert').getByText('The file was not accepted.').waitFor();
    await expectAccessible(page, 'upload form with a refused file');

    await file.setInputFiles({ name: 'soc2-report.pdf', mimeType: 'application/pdf', buffer: firstPdf });
    await expect.poll(() => file.getAttribute('aria-invalid')).toBeNull();
    await form.getByRole('button', { name: 'Upload document' }).click();
    const row = page.getByRole('row', { name: new RegExp(TITLE) });
    await row.waitFor();
    expect(await row.textContent()).toMatch(
      /Certification report.*On request.*Version 1, PDF.*Ends in 20 days/,
    );
    await page.getByText('(version 1).').waitFor();
    expect(await form.getByLabel(/^Title/).inputValue()).toBe('');
    await expectAccessible(page, 'documents list');
    await expectNoTokenInStorage(page);

    // The detail page: the version history, with the file staff download unchanged.
    await row.getByRole('link', { name: TITLE }).click();
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await page.getByText(createHash('sha256').update(firstPdf).digest('hex')).waitFor();
    const ownCopy = page.getByRole('link', { name: 'Download version 1 (soc2-report.pdf)' });
    const response = await page.request.get(`${attest.url}${await ownCopy.getAttribute('href')}`);
    expect(response.status()).toBe(200);
    expect(Buffer.from(await response.body()).equals(firstPdf)).toBe(true);

    // A corrected file becomes version 2; version 1 stays in the history.
    const versionForm = page.getByRole('form', { name: 'Upload a new version' });
    await versionForm
      .getByLabel(/^New file/)
      .setInputFiles({ name: 'soc2-report-corrected.pdf', mimeType: 'application/pdf', buffer: secondPdf });
    await versionForm.getByRole('button', { name: 'Upload version' }).click();
    await page.getByText('Version 2 is now the current one.').waitFor();
    await page.getByRole('link', { name: 'Download version 2 (soc2-report-corrected.pdf)' }).waitFor();
    await page.getByRole('link', { name: 'Download version 1 (soc2-report.pdf)' }).waitFor();
    // Staff downloads are logged too, by person.
    const ownDownload = page.getByRole('region', { name: 'Download log' }).getByRole('row', { name: /you/ });
    await ownDownload.waitFor();
    expect(await ownDownload.textContent()).toMatch(/you—1No$/);
    await expectAccessible(page, 'document detail');
    expect(staff.problems).toEqual([]);
  });

  it('a visitor requests the document and accepts the NDA; staff approve the request in the console', async () => {
    const { page } = visitor;
    // The upload republished the documents section: the document is listed, on request.
    await expect
      .poll(async () => {
        await page.goto(`${attest.url}/t/demo/documents`);
        return page.getByRole('heading', { name: TITLE }).count();
      })
      .toBe(1);
    await page.getByText(`Valid until ${inDays(20)}`).waitFor();
    await page.getByText('Version 1 · SHA-256').waitFor();
    await page.getByLabel('Your name').fill(VISITOR.name);
    await page.getByLabel('Work e-mail').fill(VISITOR.email);
    await page.getByLabel('Company', { exact: true }).fill(VISITOR.company);
    await page.getByLabel(/^Why you need them/).fill(VISITOR.reason);
    expect(await page.getByRole('checkbox', { name: TITLE }).isChecked()).toBe(true);
    await page.getByRole('checkbox', { name: /I accept this confidentiality agreement/ }).check();
    await page.getByRole('button', { name: 'Request access' }).click();
    await page.getByRole('heading', { name: 'Request received' }).waitFor();
    await expectVisitorCookieHidden(visitor);

    const staffPage = staff.page;
    await goTo(staffPage, 'Access requests');
    const request = staffPage.getByRole('article', { name: new RegExp(VISITOR.name) });
    await request.waitFor();
    const shown = (await request.textContent()) ?? '';
    for (const fact of [VISITOR.email, VISITOR.company, VISITOR.reason, TITLE, 'Version 1']) {
      expect(shown).toContain(fact);
    }
    expect(shown).toContain(createHash('sha256').update(NDA, 'utf8').digest('hex'));
    await expectAccessible(staffPage, 'access requests with a pending request');

    const days = request.getByLabel(/^Access lasts/);
    await days.fill('400');
    await request.getByText('Use 365 or less.').waitFor();
    await days.fill('7');
    // Staff may share fewer documents than were asked for, but not none.
    const share = request.getByRole('checkbox', { name: TITLE });
    expect(await share.isChecked()).toBe(true);
    await share.uncheck();
    await request.getByRole('button', { name: 'Approve' }).click();
    await request.getByText('Choose at least one document to share.').waitFor();
    await share.check();
    await request.getByRole('button', { name: 'Approve' }).click();
    await staffPage.getByText(`Approved ${VISITOR.name} (${VISITOR.email}) until`).waitFor();
    await staffPage.getByText('No request is waiting for a decision.').waitFor();
    const decided = staffPage.getByRole('row', { name: new RegExp(VISITOR.email) });
    expect(await decided.textContent()).toContain('approved');
    expect(staff.problems).toEqual([]);
  });

  it('the visitor opens the single-use link from the mail and downloads a PDF watermarked for them', async () => {
    // No SMTP server in this run: the mail waits in the outbox, where the owner reads the link.
    const staffPage = staff.page;
    await goTo(staffPage, 'Mail outbox');
    await staffPage.getByText('No mail server is configured').waitFor();
    const staffNotice = staffPage.getByRole('row', { name: new RegExp(OWNER.email) });
    await staffNotice.first().getByText(`Access request waiting: ${VISITOR.company}`).click();
    expect(await staffNotice.first().locator('pre').textContent()).toContain(
      `in the console: ${attest.url}/admin/access-requests`,
    );
    const mail = staffPage.getByRole('row', { name: new RegExp(VISITOR.email) });
    await mail.getByText(/^Your access to documents of/).click();
    const body = (await mail.locator('pre').textContent()) ?? '';
    link = body.match(/\S+\/t\/demo\/access\/[A-Za-z0-9_-]{43}/)?.[0] ?? '';
    expect(link.startsWith(`${attest.url}/t/demo/access/`), body).toBe(true);
    await expectAccessible(staffPage, 'mail outbox with a mail open');

    const { page } = visitor;
    await page.goto(link);
    await page.getByRole('heading', { name: 'Open your documents' }).waitFor();
    await page.getByRole('button', { name: 'Open the documents' }).click();
    await page.waitForURL(`${attest.url}/t/demo/documents/shared`);
    await page.getByText(`Shared with ${VISITOR.email} (${VISITOR.company})`).waitFor();
    await expectVisitorCookieHidden(visitor);

    const item = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: TITLE }) });
    const downloadLink = item.getByRole('link', { name: 'Download' });
    downloadUrl = new URL((await downloadLink.getAttribute('href')) ?? '', attest.url).toString();
    const [download] = await Promise.all([page.waitForEvent('download'), downloadLink.click()]);
    expect(download.suggestedFilename()).toBe('soc2-report-corrected.pdf');
    const bytes = await readFile((await download.path()) ?? '');
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = await pdfText(bytes);
    // The newest version, stamped with who received it.
    expect(text).toContain('SOC 2 Type II report, corrected issue');
    expect(text).toContain(`Shared with ${VISITOR.email} (${VISITOR.company})`);

    // The download log names the grant, and the watermark carries the same grant.
    await goTo(staffPage, 'Documents');
    await staffPage.getByRole('link', { name: TITLE }).click();
    const logged = staffPage
      .getByRole('region', { name: 'Download log' })
      .getByRole('row', { name: new RegExp(VISITOR.email) });
    await logged.waitFor();
    const grantId = (await logged.locator('td.mono').textContent()) ?? '';
    expect(grantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(text).toContain(`grant ${grantId}`);
    expect(await logged.textContent()).toMatch(/2\s*Yes$/);
    expect(visitor.problems).toEqual([]);
    expect(staff.problems).toEqual([]);
  });

  it('the link works only once, and revoking the grant in the console ends the downloads', async () => {
    // Someone else (a mail scanner, a forwarded mail) with the same link gets no session.
    const other = await openTab(browser);
    const again = await other.page.goto(link);
    expect(again?.status()).toBe(404);
    await other.page.getByRole('heading', { name: 'This link is not valid any more' }).waitFor();
    const opened = await other.page.request.post(link, { headers: { origin: attest.url }, maxRedirects: 0 });
    expect(opened.status()).toBe(404);
    expect(await other.context.cookies()).toEqual([]);
    expect((await other.page.request.get(downloadUrl)).status()).toBe(403);

    // The visitor, on another device, asks for a new link from that page; it goes to their mailbox.
    await other.page.getByRole('link', { name: 'Get a new link by e-mail' }).click();
    await other.page.getByRole('heading', { level: 1, name: 'Get a new link' }).waitFor();
    await expectAccessible(other.page, 'new link form');
    await other.page.getByLabel('Work e-mail').fill(VISITOR.email.toUpperCase());
    await other.page.getByRole('button', { name: 'Send me a new link' }).click();
    await other.page.getByRole('heading', { level: 1, name: 'Check your e-mail' }).waitFor();
    const staffOutbox = staff.page;
    // Staff are still on the outbox from before: the list shows the new mail after a refresh.
    await goTo(staffOutbox, 'Mail outbox');
    const newLinkMail = staffOutbox.getByRole('row').filter({ hasText: 'A new link to your documents of' });
    // The mail is written just after the visitor's answer (so its timing tells nothing): refresh until it is there.
    await expect
      .poll(async () => {
        await staffOutbox.getByRole('button', { name: 'Refresh' }).click();
        await staffOutbox.getByRole('button', { name: 'Refresh' }).waitFor();
        return newLinkMail.count();
      })
      .toBe(1);
    await newLinkMail.locator('summary').click();
    const newLinkBody = (await newLinkMail.locator('pre').textContent()) ?? '';
    const newLink = newLinkBody.match(/\S+\/t\/demo\/access\/[A-Za-z0-9_-]{43}/)?.[0] ?? '';
    expect(newLink.startsWith(`${attest.url}/t/demo/access/`), newLinkBody).toBe(true);
    await other.page.goto(newLink);
    await other.page.getByRole('button', { name: 'Open the documents' }).click();
    await other.page.getByText(`Shared with ${VISITOR.email} (${VISITOR.company})`).waitFor();
    expect((await other.page.request.get(downloadUrl)).status()).toBe(200);

    // Staff extend, then revoke the grant.
    const staffPage = staff.page;
    await goTo(staffPage, 'Grants');
    const grant = staffPage.getByRole('row', { name: new RegExp(VISITOR.email) });
    expect(await grant.textContent()).toMatch(/active.*Opened/);
    await grant.getByLabel(/^Days to add/).fill('10');
    await grant.getByRole('button', { name: `Extend the access of ${VISITOR.email}` }).click();
    await staffPage.getByText(`${VISITOR.email} now has access until`).waitFor();
    await expectAccessible(staffPage, 'grants');
    await grant.getByRole('button', { name: 'Revoke' }).click();
    await grant.getByRole('button', { name: 'Yes, revoke' }).click();
    await staffPage.getByText(`Revoked the access of ${VISITOR.email}.`).waitFor();
    await expect.poll(() => grant.textContent()).toContain('revoked');
    await expectNoTokenInStorage(staffPage);

    // The visitor's session and download link stop working at once.
    const { page } = visitor;
    const refused = await page.request.get(downloadUrl);
    expect(refused.status()).toBe(403);
    expect((await refused.body()).subarray(0, 5).toString('latin1')).not.toBe('%PDF-');
    const shared = await page.goto(`${attest.url}/t/demo/documents/shared`);
    expect(shared?.status()).toBe(403);
    await page.getByRole('heading', { name: 'Access required' }).waitFor();
    await expectVisitorCookieHidden(visitor);
    expect((await other.page.request.get(downloadUrl)).status()).toBe(403);

    expect(other.problems).toEqual([]);
    expect(visitor.problems).toEqual([]);
    expect(staff.problems).toEqual([]);
  });

  it('shows a viewer the documents and the NDA, with no way to change them or see who downloaded', async () => {
    const owner = staff.page;
    await goTo(owner, 'Members and roles');
    await owner.getByLabel(/^E-mail address/).fill(VIEWER.email);
    await owner.getByLabel('Role', { exact: true }).selectOption('viewer');
    await owner.getByRole('button', { name: 'Create invitation' }).click();
    const invitation = (await owner.getByTestId('one-time-secret').textContent()) ?? '';
    await owner.getByRole('button', { name: 'I have saved it' }).click();

    const viewer = await openTab(browser);
    const { page } = viewer;
    await page.goto(invitation);
    await page.getByLabel(/^Choose a password/).fill(VIEWER.password);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.getByText('You have joined').waitFor();
    await signIn(page, attest.url, VIEWER);
    const main = page.getByRole('navigation', { name: 'Main' });
    for (const hidden of ['Access requests', 'Grants', 'Mail outbox']) {
      expect(await main.getByRole('link', { name: hidden, exact: true }).count(), hidden).toBe(0);
    }

    await goTo(page, 'Documents');
    await page.getByRole('link', { name: TITLE }).click();
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await page.getByRole('link', { name: 'Download version 2 (soc2-report-corrected.pdf)' }).waitFor();
    for (const control of ['Save details', 'Upload version', 'Delete document']) {
      expect(await page.getByRole('button', { name: control }).count(), control).toBe(0);
    }
    expect(await page.getByRole('heading', { name: 'Download log' }).count()).toBe(0);
    await expectAccessible(page, 'document detail, read only');

    await goTo(page, 'NDA and access rules');
    await page.getByText('This agreement ends two years after your last download.').waitFor();
    expect(await page.getByRole('button', { name: /^Publish/ }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Access rules', exact: true }).count()).toBe(0);
    await expectNoTokenInStorage(page);
    expect(viewer.problems).toEqual([]);
    await viewer.context.close();
  });

  it('shows how much of an upload has been sent on a slow connection', async () => {
    const { page } = staff;
    await goTo(page, 'Documents');
    const form = page.getByRole('form', { name: 'Upload a document' });
    await form.getByLabel(/^Title/).fill('Network diagram notes');
    await form.getByLabel('Access', { exact: true }).selectOption('private');
    // 1.4 MB at 500 kB/s: about three seconds of sending to watch.
    const notes = Buffer.from('Network segment notes.\n'.repeat(65_536));
    await form
      .getByLabel(/^File/)
      .setInputFiles({ name: 'network-notes.txt', mimeType: 'text/plain', buffer: notes });
    const network = await page.context().newCDPSession(page);
    await network.send('Network.enable');
    await network.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 500_000,
    });
    try {
      await form.getByRole('button', { name: 'Upload document' }).click();
      const bar = form.getByRole('progressbar', { name: 'Upload of network-notes.txt' });
      // Part of the file sent, not all: the bar moves with the bytes, not with the request.
      await expect
        .poll(
          async () => {
            const percent = await bar.getAttribute('value', { timeout: 1_000 }).catch(() => null);
            const said = await form.textContent();
            return percent !== null && said?.includes(`${percent}% of 1.4 MB`) ? Number(percent) : -1;
          },
          { timeout: 30_000 },
        )
        .toSatisfy((percent: number) => percent > 0 && percent < 100);
      await page.getByRole('row', { name: /Network diagram notes/ }).waitFor({ timeout: 60_000 });
      await expect.poll(() => bar.count()).toBe(0);
    } finally {
      await network.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
      await network.detach();
    }
    expect(staff.problems).toEqual([]);
  });

  it('deletes the document after a confirmation, and the trust center stops listing it', async () => {
    const { page } = staff;
    await goTo(page, 'Documents');
    await page.getByRole('link', { name: TITLE }).click();
    await page.getByRole('button', { name: 'Delete document' }).click();
    // The confirmation takes focus, so Enter confirms from the keyboard.
    await expect.poll(() => page.evaluate('document.activeElement.textContent')).toBe('Yes, delete it');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Documents' }).waitFor();
    await page.getByText(`Deleted “${TITLE}” and all its versions.`).waitFor();
    await expect.poll(() => page.getByRole('link', { name: TITLE }).count()).toBe(0);
    await page.getByRole('row', { name: /Attest security overview/ }).waitFor();
    await expect
      .poll(async () => (await fetch(`${attest.url}/t/demo/documents`)).text())
      .not.toContain(TITLE);
    expect(staff.problems).toEqual([]);
  });
});
