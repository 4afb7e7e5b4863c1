import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OWNER, type RunningAttest, startAttest } from './support/attest-server.js';
import { expectAccessible, launchBrowser, openTab, signIn, type Tab } from './support/browser.js';

describe('the knowledge base in the console', () => {
  let attest: RunningAttest;
  let browser: Browser;
  let tab: Tab;

  beforeAll(async () => {
    [attest, browser] = await Promise.all([
      startAttest({ template: inject('attestTemplate') }),
      launchBrowser(),
    ]);
    tab = await openTab(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await attest?.stop();
  });

  it("lists the demo's entries, adds one, changes its visibility and short answer, and deletes it", async () => {
    const { page } = tab;
    await signIn(page, attest.url, OWNER);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Knowledge base' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Knowledge base' }).waitFor();
    const rows = page.locator('table tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(5);
    await page
      .getByRole('link', { name: 'How are user passwords stored and what password rules apply?' })
      .waitFor();

    await page.getByRole('link', { name: 'Add entry' }).click();
    await page.getByLabel(/^Question/).fill('Do you carry cyber insurance?');
    // The key follows the question until it is edited.
    await expect.poll(() => page.getByLabel(/^Key/).inputValue()).toBe('do-you-carry-cyber-insurance');
    await page.getByLabel(/^Answer/).fill('Ask us: the policy is shared under NDA.');
    await expectAccessible(page, 'knowledge-base entry form');
    await page.getByLabel('Visible to').selectOption('nda');
    await page.getByRole('button', { name: 'Add entry' }).click();
    await page.getByText('Saved “Do you carry cyber insurance?”.').waitFor();
    const row = rows.filter({ hasText: 'Do you carry cyber insurance?' });
    await expect.poll(() => row.textContent()).toContain('Under NDA');

    await row.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: 'Do you carry cyber insurance?' }).waitFor();
    await page.getByLabel('Short answer').selectOption('yes');
    await page.getByLabel('Visible to').selectOption('internal');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved “Do you carry cyber insurance?”.').waitFor();
    await expect.poll(() => row.textContent()).toMatch(/Yes.*Internal/);

    await row.getByRole('link').click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('heading', { level: 1, name: 'Knowledge base' }).waitFor();
    await expect.poll(() => rows.filter({ hasText: 'Do you carry cyber insurance?' }).count()).toBe(0);
    expect(tab.problems).toEqual([]);
  });

  it('lets a visitor search the published answers from the FAQ page, without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${attest.url}/t/demo/faq`);
      await page
        .getByRole('searchbox', { name: 'Search our answers' })
        .fill('Wie werden Passwörter gespeichert?');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('heading', { level: 1, name: 'Search our answers' }).waitFor();
      await page.getByText(/Passwords are hashed with argon2id/).waitFor();
      // axe runs as a script: the same page in a tab with JavaScript.
      await tab.page.goto(page.url());
      await tab.page.getByText(/Passwords are hashed with argon2id/).waitFor();
      await expectAccessible(tab.page, 'public answer search');
    } finally {
      await context.close();
    }
  });
});
