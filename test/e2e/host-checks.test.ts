import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OWNER, type RunningAttest, startAttest } from './support/attest-server.js';
import { launchBrowser, openTab, signIn, type Tab } from './support/browser.js';

/*
 * Host checks from end to end: an owner adds a check of a host in the console, the worker of the
 * running program picks it up within a tick, and a target on the installation's own network is
 * refused (no ATTEST_CHECK_ALLOW_PRIVATE here), then the check is removed.
 */
describe('host checks in the console', () => {
  let attest: RunningAttest;
  let browser: Browser;
  let tab: Tab;

  beforeAll(async () => {
    [attest, browser] = await Promise.all([
      startAttest({ template: inject('attestTemplate') }),
      launchBrowser(),
    ]);
    tab = await openTab(browser);
    await signIn(tab.page, attest.url, OWNER);
  });

  afterAll(async () => {
    await browser?.close();
    await attest?.stop();
  });

  it('adds an uptime check, shows the worker refusing a loopback target, and removes it', async () => {
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Host checks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Host checks' }).waitFor();
    await page.getByLabel('Kind').selectOption('http-uptime');
    await page.getByLabel(/^Name/).fill('Own portal');
    await page.getByLabel(/^Target/).fill(`${attest.url}/healthz`);
    await page.getByRole('button', { name: 'Add check' }).click();
    const row = page.locator('table tbody tr', { hasText: 'Own portal' });
    await row.waitFor();
    // The scheduler ticks every 15 seconds; the screen refreshes every 30.
    await expect
      .poll(
        async () => {
          await page.reload();
          return (await row.textContent()) ?? '';
        },
        { timeout: 60_000, interval: 5_000 },
      )
      .toContain('not a public address (loopback)');
    expect(await row.textContent()).toContain('Could not run');

    await row.getByRole('button', { name: 'Remove' }).click();
    await row.getByRole('button', { name: 'Yes, remove' }).click();
    await expect.poll(() => page.locator('table tbody tr', { hasText: 'Own portal' }).count()).toBe(0);
  });
});
