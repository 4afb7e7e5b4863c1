import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OWNER, type RunningAttest, startAttest } from './support/attest-server.js';
import { expectNoTokenInStorage, launchBrowser, openTab, signIn, type Tab } from './support/browser.js';

describe('editing a control and publishing it', () => {
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

  it('signs in, edits a control, publishes, and the public page shows the change', async () => {
    const { page } = tab;
    await signIn(page, attest.url, OWNER);
    await expectNoTokenInStorage(page);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Controls' }).click();
    await page.getByRole('heading', { level: 1, name: 'Controls' }).waitFor();
    const firstControl = page.locator('table tbody tr td:first-child a').first();
    const oldTitle = (await firstControl.textContent()) ?? '';
    await firstControl.click();
    await page.getByRole('heading', { level: 1, name: oldTitle }).waitFor();

    const title = page.getByLabel('Title');
    // Validation as you type, with the API's schema: an empty title is refused next to the field.
    await title.fill('');
    await expect.poll(() => title.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await title.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`#${describedBy.split(' ').pop()}`).textContent()).toBe('Required.');

    const newTitle = `${oldTitle} (reviewed in e2e)`;
    await title.fill(newTitle);
    await page.getByLabel('Status').selectOption('in_progress');
    await page.getByRole('button', { name: 'Reviewed today' }).click();
    await page.getByRole('button', { name: 'Save control' }).click();
    await page.getByText(`Saved “${newTitle}” to the draft.`).waitFor();
    await expectNoTokenInStorage(page);

    // Drafts never leak: the public page still shows the old title.
    const before = await (await fetch(`${attest.url}/t/demo/security`)).text();
    expect(before).not.toContain(newTitle);

    await page.getByRole('link', { name: 'Publish' }).click();
    await page.getByRole('heading', { level: 1, name: 'Publish' }).waitFor();
    const changes = page.getByRole('list', { name: 'Unpublished changes' });
    await expect.poll(() => changes.textContent()).toContain(newTitle);
    await page.getByRole('button', { name: 'Publish now' }).click();
    await page.getByText(/Version \d+ is live\./).waitFor();
    await page.getByText(/The draft is the same as published version/).waitFor();
    await expectNoTokenInStorage(page);

    await page.getByRole('link', { name: 'Open the public trust center' }).click();
    await page.waitForURL(`${attest.url}/t/demo/security`);
    await page.getByRole('heading', { name: newTitle }).waitFor();
    expect(tab.problems).toEqual([]);
  });

  it("shows the server's refusal in the form, and reorders with the keyboard", async () => {
    const { page } = tab;
    await page.goto(`${attest.url}/admin/categories`);
    await page.getByRole('heading', { level: 1, name: 'Categories' }).waitFor();
    const form = page.getByRole('form', { name: 'New category' });
    // The key follows the name, and "access-control" is taken: the API answers 409.
    await form.getByLabel(/^Name/).fill('Access Control');
    await form.getByRole('button', { name: 'Add category' }).click();
    await form.getByRole('alert').getByText('An item with that key already exists.').waitFor();

    await form.getByLabel(/^Key/).fill('physical-security');
    await form.getByLabel(/^Name/).fill('Physical Security');
    await form.getByRole('button', { name: 'Add category' }).click();
    const rows = page.locator('table tbody tr td:first-child a');
    await expect.poll(() => rows.last().textContent()).toBe('Physical Security');
    const count = await rows.count();

    await page.getByRole('button', { name: 'Move Physical Security up' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText(`Moved Physical Security to position ${count - 1} of ${count}.`).waitFor();
    await expect.poll(() => rows.nth(count - 2).textContent()).toBe('Physical Security');
    // Focus stays on the moved item's button (set again after the list re-renders), so pressing
    // again moves it further.
    await expect
      .poll(() => page.evaluate('document.activeElement?.getAttribute("aria-label")'))
      .toBe('Move Physical Security up');
  });
});
