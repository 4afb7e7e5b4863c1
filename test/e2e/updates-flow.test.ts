import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OWNER, type RunningAttest, startAttest } from './support/attest-server.js';
import {
  expectAccessible,
  expectNoTokenInStorage,
  launchBrowser,
  openTab,
  signIn,
  type Tab,
} from './support/browser.js';

const SUBSCRIBER = 'reader@customer.example';
const INCOMING = 'Acme Mail Relay';
const INCIDENT = 'Phishing attempt against support staff';
const UPDATE_TITLE = 'Phishing attempt contained';

interface OutboxEntry {
  to: string;
  subject: string;
  status: string;
  text: string | null;
}

/** The owner's view of the outbox, through the console's own session (no SMTP: mails are kept). */
async function outbox(page: Page): Promise<OutboxEntry[]> {
  return page.evaluate(async () => {
    const response = await fetch('/bff/api/outbox?limit=50', { headers: { accept: 'application/json' } });
    return ((await response.json()) as { items: OutboxEntry[] }).items;
  });
}

async function publicText(url: string): Promise<string> {
  const response = await fetch(url);
  return response.text();
}

describe('updates, incidents, subprocessor changes and their notices', () => {
  let attest: RunningAttest;
  let browser: Browser;
  let staff: Tab;
  let visitor: Tab;

  beforeAll(async () => {
    [attest, browser] = await Promise.all([
      startAttest({ template: inject('attestTemplate') }),
      launchBrowser(),
    ]);
    [staff, visitor] = await Promise.all([openTab(browser), openTab(browser)]);
    await signIn(staff.page, attest.url, OWNER);
  });

  afterAll(async () => {
    await browser?.close();
    await attest?.stop();
  });

  const nav = () => staff.page.getByRole('navigation', { name: 'Main' });

  it('a visitor subscribes, confirms by the mailed link, and is counted as a confirmed subscriber', async () => {
    const { page } = visitor;
    await page.goto(`${attest.url}/t/demo/subscribe`);
    await page.getByLabel('E-mail address').fill(SUBSCRIBER);
    await page.getByLabel('All updates').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL(/\/subscribe\/sent$/);

    // The confirmation mail waits in the outbox (no SMTP server): the owner may read its text.
    let link = '';
    await expect
      .poll(async () => {
        const mail = (await outbox(staff.page)).find((entry) => entry.to === SUBSCRIBER);
        link = mail?.text?.match(/https?:\/\/\S+\/subscribe\/confirm\?token=\S+/)?.[0] ?? '';
        return mail?.status;
      })
      .toBe('stored');
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm subscription' }).click();
    await page.getByRole('heading', { level: 1, name: 'Subscription confirmed' }).waitFor();
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(visitor.problems, 'visitor console errors').toEqual([]);

    await nav().getByRole('link', { name: 'Subscribers', exact: true }).click();
    await staff.page.getByRole('heading', { level: 1, name: 'Subscribers' }).waitFor();
    const counts = staff.page.getByRole('definition');
    await expect.poll(() => counts.first().textContent()).toBe('1');
    const row = staff.page.getByRole('row', { name: new RegExp(SUBSCRIBER) });
    await expect.poll(() => row.textContent()).toContain('Confirmed');
    expect(await row.textContent()).toContain('All updates');
  });

  it('announces a subprocessor change no sooner than the notice period; the public page lists it as upcoming until it is withdrawn', async () => {
    const { page } = staff;
    await nav().getByRole('link', { name: 'Subprocessor changes', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Subprocessor changes' }).waitFor();
    await page.getByRole('link', { name: 'Announce a change' }).click();
    await page.getByRole('heading', { level: 1, name: 'Announce a subprocessor change' }).waitFor();

    const date = page.getByLabel(/^Effective on/);
    const earliest = await date.inputValue();
    const inThirtyDays = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    expect(earliest).toBe(inThirtyDays);
    // A date inside the notice period is refused as it is typed, next to the field.
    const tooSoon = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    await date.fill(tooSoon);
    await expect.poll(() => date.getAttribute('aria-invalid')).toBe('true');
    await page.getByText(/or later: the notice period is 30 days/).waitFor();

    await page.getByLabel(/^Name/).fill(INCOMING);
    expect(await page.getByLabel(/^Key/).inputValue()).toBe('acme-mail-relay');
    await page.getByLabel(/^Purpose/).fill('Delivery of notification e-mails');
    await page.getByLabel(/^Location/).fill('Ireland (EU)');
    await page.getByLabel(/^Why/).fill('A second relay for deliverability.');
    await page.getByRole('button', { name: 'Announce and notify subscribers' }).click();
    await expect.poll(() => date.getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'announce form with an error');

    await date.fill(earliest);
    await expect.poll(() => date.getAttribute('aria-invalid')).toBeNull();
    await page.getByRole('button', { name: 'Announce and notify subscribers' }).click();
    await page.getByText(/It is listed as upcoming on the public subprocessors page/).waitFor();
    const row = page.getByRole('row', { name: new RegExp(`${INCOMING} will be added`) });
    await expect.poll(() => row.textContent()).toContain('Announced');

    const html = await publicText(`${attest.url}/t/demo/subprocessors`);
    expect(html).toContain('Upcoming changes');
    expect(html).toContain(`<time datetime="${earliest}">${earliest}</time>`);
    expect(html).toContain(`${INCOMING} will be added`);
    // Not in the list itself before its date.
    expect(html.split('Upcoming changes')[1]?.split('</section>')[1] ?? '').not.toContain(INCOMING);

    // Withdrawn with a confirmation step: it leaves the public list of upcoming changes, and the
    // withdrawal is posted to the updates feed (and e-mailed: see the notices below).
    await row.getByRole('button', { name: 'Withdraw' }).click();
    await row.getByText(/subscribers of subprocessor changes and of all updates are e-mailed/).waitFor();
    await row.getByRole('button', { name: 'Yes, withdraw' }).click();
    await page.getByText('The change was withdrawn.').waitFor();
    await expect.poll(() => row.textContent()).toContain('Withdrawn');
    expect(await row.getByRole('button', { name: 'Withdraw' }).count()).toBe(0);
    await expect.poll(() => publicText(`${attest.url}/t/demo/subprocessors`)).not.toContain(INCOMING);
    expect(await publicText(`${attest.url}/t/demo/updates`)).toContain(
      `Withdrawn: ${INCOMING} will not be added on ${earliest}`,
    );
  });

  it('records an incident detected 20 hours ago, warns about the 24-hour target, and meets it by publishing a linked update', async () => {
    const { page } = staff;
    await nav().getByRole('link', { name: 'Incidents', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
    await page.getByRole('link', { name: 'Record an incident' }).click();
    await page.getByRole('heading', { level: 1, name: 'Record an incident' }).waitFor();
    await page.getByLabel(/^Title/).fill(INCIDENT);
    // datetime-local is wall time in the browser's zone.
    const twentyHoursAgo = await page.evaluate(() => {
      const date = new Date(Date.now() - 20 * 3_600_000);
      return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    });
    await page.getByLabel(/^Detected at/).fill(twentyHoursAgo);
    await page.getByRole('button', { name: 'Record incident' }).click();

    await page.getByRole('heading', { level: 1, name: INCIDENT }).waitFor();
    const summary = page.locator('section[aria-labelledby="notify-heading"] .notice');
    await summary.getByText('Deadline near').waitFor();
    expect(await summary.textContent()).toMatch(/Customers have not been notified: [34] h \d{2} min left/);
    await expectAccessible(page, 'incident with the deadline near');
    // Home says so too, with a way there.
    await nav().getByRole('link', { name: 'Home', exact: true }).click();
    const due = page.getByRole('region', { name: 'Customers to notify' });
    await due.getByRole('link', { name: INCIDENT }).click();
    await page.getByRole('heading', { level: 1, name: INCIDENT }).waitFor();

    await page.getByRole('link', { name: 'Write an incident update for subscribers' }).click();
    await page.getByRole('heading', { level: 1, name: 'New update' }).waitFor();
    expect(await page.getByLabel('Kind').inputValue()).toBe('incident');
    expect(
      await page.getByLabel('Incident', { exact: true }).locator('option:checked').textContent(),
    ).toContain(INCIDENT);
    await page.getByLabel(/^Title/).fill(UPDATE_TITLE);
    const text = 'We **stopped** a phishing attempt. No customer data was accessed.';
    await page.getByLabel('Text').fill(text);
    await page.getByText(`${text.length} of 20,000 characters`).waitFor();
    // The preview is the server's rendering, the same as the public page will show.
    await page.getByRole('button', { name: 'Show preview' }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.locator('strong', { hasText: 'stopped' }).waitFor();
    await page.getByLabel('Text').fill(`${text}\n\n<script>window.previewRan = 1</script>`);
    await preview.getByText('<script>window.previewRan = 1</script>').waitFor();
    expect(await page.evaluate('window.previewRan')).toBeUndefined();
    await page.getByLabel('Text').fill(text);
    await preview.getByText('<script>').waitFor({ state: 'detached' });
    await expectAccessible(page, 'update preview');
    await page.getByRole('button', { name: 'Hide preview' }).click();
    await preview.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.getByRole('heading', { level: 1, name: UPDATE_TITLE }).waitFor();
    await page.getByText('Draft', { exact: true }).waitFor();
    // A draft is not public.
    expect(await publicText(`${attest.url}/t/demo/updates`)).not.toContain(UPDATE_TITLE);
    await expectAccessible(page, 'update editor');

    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByText(/e-mail subscribers of incidents and of all updates\?/).waitFor();
    await page.getByRole('button', { name: 'Yes, publish and notify' }).click();
    await page.getByText(`Published “${UPDATE_TITLE}”. Subscribers are being notified`).waitFor();
    const row = page.getByRole('row', { name: new RegExp(UPDATE_TITLE) });
    expect(await row.textContent()).toContain('Published');

    await expect.poll(() => publicText(`${attest.url}/t/demo/updates`)).toContain(UPDATE_TITLE);
    expect(await publicText(`${attest.url}/t/demo/updates`)).toContain('<strong>stopped</strong>');
    const feed = JSON.parse(await publicText(`${attest.url}/t/demo/updates.json`)) as {
      items: { title: string }[];
    };
    expect(feed.items.map((item) => item.title)).toContain(UPDATE_TITLE);

    // Publishing the linked update recorded when customers were told: within 24 hours.
    await nav().getByRole('link', { name: 'Incidents', exact: true }).click();
    const incident = page.getByRole('row', { name: new RegExp(INCIDENT) });
    await expect.poll(() => incident.textContent()).toMatch(/Met\s*notified after 20 h \d{2} min/);
    await incident.getByRole('link', { name: INCIDENT }).click();
    await page.getByRole('heading', { level: 1, name: INCIDENT }).waitFor();
    await summary.getByText('Met').waitFor();
    expect(await summary.textContent()).toMatch(/Customers were notified 20 h \d{2} min after detection/);
    expect(await page.getByRole('button', { name: 'Customers were notified just now' }).count()).toBe(0);
  });

  it('shows the notices sent for the announcement, its withdrawal and the update, one mail each to the confirmed subscriber', async () => {
    const { page } = staff;
    await nav().getByRole('link', { name: 'Notices', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Notices' }).waitFor();
    const update = page.getByRole('row', { name: new RegExp(UPDATE_TITLE) });
    const change = page.getByRole('row', { name: new RegExp(`New subprocessor from .*: ${INCOMING}`) });
    // The fan-out runs in the worker (pg-boss); the screen polls while a notice is open.
    // Recipients 1, and without an SMTP server its mail is kept in the outbox.
    const delivered = /Sent11 kept in the outbox \(no mail server configured\)/;
    await expect.poll(() => update.textContent()).toMatch(new RegExp(`Incidents${delivered.source}`));
    await expect
      .poll(() => change.textContent())
      .toMatch(new RegExp(`Subprocessor changes${delivered.source}`));
    const withdrawal = page.getByRole('row', { name: new RegExp(`Withdrawn: ${INCOMING}`) });
    await expect
      .poll(() => withdrawal.textContent())
      .toMatch(new RegExp(`Subprocessor changes${delivered.source}`));
    await expectAccessible(page, 'notices');

    // Without an SMTP server the mails stay in the outbox: one per notice for the one confirmed
    // subscriber. (The demo's own posts were published before anyone subscribed, but the scheduler
    // fans their notices out a minute later, to whoever has subscribed by then: left out here.)
    const mails = (await outbox(page)).filter((entry) => entry.to === SUBSCRIBER);
    const ours = (subject: string | RegExp) =>
      mails.filter((mail) =>
        typeof subject === 'string' ? mail.subject === subject : subject.test(mail.subject),
      );
    for (const subject of [
      UPDATE_TITLE,
      new RegExp(`: ${INCOMING}$`),
      new RegExp(`^Withdrawn: ${INCOMING} will not be added`),
      /^Confirm your subscription/,
    ]) {
      expect(ours(subject).map((mail) => mail.status)).toEqual(['stored']);
    }
    await expectNoTokenInStorage(page);
    expect(staff.problems, 'console errors').toEqual([]);
  });
  it('lists the updates 50 at a time, newest first, and loads the next page on demand', async () => {
    const { page } = staff;
    // Drafts notify nobody: written through the console's own session, as its editor does.
    const total = await page.evaluate(async () => {
      for (let n = 1; n <= 51; n += 1) {
        const response = await fetch('/bff/api/updates', {
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'general', title: `Paging draft ${n}` }),
        });
        if (response.status !== 201) throw new Error(`draft ${n}: ${response.status}`);
      }
      const first = await fetch('/bff/api/updates?limit=1', { headers: { accept: 'application/json' } });
      return ((await first.json()) as { total: number }).total;
    });
    expect(total).toBeGreaterThan(51);
    // Written behind the console's back: a reload drops what it had cached of the list.
    await page.reload();
    await nav().getByRole('link', { name: 'Updates', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Updates' }).waitFor();
    const rows = page.locator('table tbody tr');
    await page.getByText(`Showing 50 of ${total}`).waitFor();
    expect(await rows.count()).toBe(50);
    // Newest first: the last draft written heads the list.
    expect(await rows.first().textContent()).toContain('Paging draft 51');
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows.count()).toBe(total);
    expect(await rows.last().textContent()).not.toContain('Paging draft');
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    expect(staff.problems, 'console errors').toEqual([]);
  });
});
