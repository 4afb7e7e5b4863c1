import type { Browser } from 'playwright-core';
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

const VIEWER = {
  email: 'viewer@e2e.attest.example',
  password: 'patient violet compass harbour 2207',
  tenant: 'demo',
};

describe('a viewer, and a session that ends', () => {
  let attest: RunningAttest;
  let browser: Browser;
  let viewer: Tab;

  beforeAll(async () => {
    [attest, browser] = await Promise.all([
      startAttest({ template: inject('attestTemplate') }),
      launchBrowser(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await attest?.stop();
  });

  it('joins through an invitation the owner created in the console', async () => {
    const owner = await openTab(browser);
    await signIn(owner.page, attest.url, OWNER);
    await owner.page.getByRole('link', { name: 'Members and roles' }).click();
    await owner.page.getByLabel(/^E-mail address/).fill(VIEWER.email);
    await owner.page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await owner.page.getByRole('button', { name: 'Create invitation' }).click();
    const link = (await owner.page.getByTestId('one-time-secret').textContent()) ?? '';
    expect(link).toMatch(new RegExp(`^${attest.url}/admin/invitation#tenant=demo&token=`));
    await owner.page.getByRole('button', { name: 'I have saved it' }).click();
    await expect.poll(() => owner.page.content()).not.toContain(link);
    await expectNoTokenInStorage(owner.page);
    await owner.context.close();

    viewer = await openTab(browser);
    const { page } = viewer;
    await page.goto(link);
    await page.getByRole('heading', { name: 'Join a trust center' }).waitFor();
    await expectAccessible(page, 'accept invitation');
    await page.getByLabel(/^Choose a password/).fill(VIEWER.password);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.getByText('You have joined').waitFor();
    expect(page.url()).not.toContain('token');
    await expectNoTokenInStorage(page);
    await page.getByRole('link', { name: 'Sign in' }).click();
    expect(await page.getByLabel('Trust center').inputValue()).toBe('demo');
    await signIn(page, attest.url, VIEWER);
    await expectNoTokenInStorage(page);
  });

  it('shows a viewer no way to edit, and the server refuses a forged edit', async () => {
    const { page } = viewer;
    const main = page.getByRole('navigation', { name: 'Main' });
    expect(await main.getByRole('link', { name: 'Members and roles' }).count()).toBe(0);
    expect(await main.getByRole('link', { name: 'API keys' }).count()).toBe(0);

    await main.getByRole('link', { name: 'Controls' }).click();
    await page.locator('table tbody tr').first().waitFor();
    expect(await page.getByRole('link', { name: 'Add control' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Move / }).count()).toBe(0);

    const controlLink = page.locator('table tbody tr td:first-child a').first();
    const title = (await controlLink.textContent()) ?? '';
    const href = (await controlLink.getAttribute('href')) ?? '';
    const controlId = href.split('/').pop() ?? '';
    await controlLink.click();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.getByText('Last review').waitFor();
    expect(
      await page
        .getByRole('button')
        .filter({ hasText: /Save|Delete|Add/ })
        .count(),
    ).toBe(0);
    expect(await page.getByRole('textbox').count()).toBe(0);

    for (const [link, heading] of [
      ['Profile', 'Trust center profile'],
      ['FAQ', 'FAQ'],
      ['Publish', 'Publish'],
    ] as const) {
      await main.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      expect(await page.getByRole('button', { name: /Save|Publish now|Add|Move/ }).count(), heading).toBe(0);
    }

    // The interface is not the guard: the same request the editor's form sends is refused.
    const forged = await page.evaluate<{ status: number; code: string }>(`
      fetch('/bff/api/controls/${controlId}', {
        method: 'PATCH',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Forged by a viewer' }),
      }).then(async (response) => ({ status: response.status, code: (await response.json()).error.code }))
    `);
    expect(forged).toEqual({ status: 403, code: 'auth.forbidden' });
    const unchanged = await page.evaluate<{ title: string }>(
      `fetch('/bff/api/controls/${controlId}').then((response) => response.json())`,
    );
    expect(unchanged.title).toBe(title);
    await expectNoTokenInStorage(page);
  });

  it('returns to sign-in when the session was ended elsewhere', async () => {
    // The same person on another device signs out everywhere.
    const elsewhere = await openTab(browser);
    await signIn(elsewhere.page, attest.url, VIEWER);
    await elsewhere.page.getByRole('link', { name: 'Sessions' }).click();
    await elsewhere.page.getByRole('cell', { name: /this session/ }).waitFor();
    expect(await elsewhere.page.locator('table tbody tr').count()).toBe(2);
    await expectAccessible(elsewhere.page, 'sessions');
    await elsewhere.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await elsewhere.page.getByRole('button', { name: /Yes, sign out everywhere/ }).click();
    await elsewhere.page.getByText('You have signed out.').waitFor();
    await elsewhere.context.close();

    // The first device's next request finds its session gone, and the console goes to sign-in.
    const { page } = viewer;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Subprocessors' }).click();
    await page.getByRole('heading', { name: 'Sign in to Attest' }).waitFor();
    await page.getByText('Your session has ended. Sign in again.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await expectNoTokenInStorage(page);

    // A fresh load of a console page without a session lands on sign-in too, and comes back after.
    await page.goto(`${attest.url}/admin/faq`);
    await page.getByRole('heading', { name: 'Sign in to Attest' }).waitFor();
    await page.getByLabel(/^E-mail address/).fill(VIEWER.email);
    await page.getByLabel(/^Password/).fill(VIEWER.password);
    await page.getByLabel('Trust center').fill(VIEWER.tenant);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'FAQ' }).waitFor();
    expect(viewer.problems).toEqual([]);
  });
});
