import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OWNER, type RunningAttest, startAttest } from './support/attest-server.js';
import { expectAccessible, launchBrowser, openTab } from './support/browser.js';
import { expectScreensAccessible } from './support/screens.js';

describe('accessibility and keyboard use', () => {
  let attest: RunningAttest;
  let browser: Browser;

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

  it('signs in with the keyboard alone and reaches the main navigation', async () => {
    const { page, problems } = await openTab(browser);
    await page.goto(`${attest.url}/admin/`);
    await page.getByRole('heading', { name: 'Sign in to Attest' }).waitFor();
    await expectAccessible(page, 'sign-in');

    await page.keyboard.press('Tab');
    await page.keyboard.type(OWNER.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(OWNER.password);
    await page.keyboard.press('Tab');
    await page.keyboard.type(OWNER.tenant);
    expect(await page.evaluate('document.activeElement.id')).toBe('field-tenant');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();

    // The first Tab reaches the skip link, and Tab goes on into the main navigation.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to main content');
    let inNavigation = false;
    for (let step = 0; step < 6 && !inNavigation; step += 1) {
      await page.keyboard.press('Tab');
      inNavigation = await page.evaluate<boolean>(
        `Boolean(document.activeElement.closest('nav[aria-label="Main"]'))`,
      );
    }
    expect(inNavigation, 'Tab reaches the main navigation').toBe(true);
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Home');
    // Enter follows the focused link, and focus moves to the new page's heading.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/profile$/);
    await expect.poll(() => page.evaluate('document.activeElement.tagName')).toBe('H1');
    expect(problems).toEqual([]);
  });

  it('finds no serious or critical axe violation on any screen (light)', async () => {
    await expectScreensAccessible(browser, attest.url, 'light');
  });

  it('finds no serious or critical axe violation on the public page the preview shows', async () => {
    const { page } = await openTab(browser);
    await page.goto(`${attest.url}/t/demo/security`);
    await expectAccessible(page, 'public security page');
  });
});
