import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OWNER, type RunningAttest, startAttest } from './support/attest-server.js';
import { launchBrowser, openTab, signIn, type Tab } from './support/browser.js';

/*
 * A claim follows its evidence from end to end: an owner lengthens the idle timeout past what the
 * "Session limits" check allows, runs the checks, and the console's Home lists the failing check
 * first with since when and the control it affects, while the public security page shows that
 * control as "verification failing" instead of Implemented.
 */
describe('status follows evidence', () => {
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

  it('a failing check is listed first on Home, and its control shows verification failing publicly', async () => {
    const { page } = tab;
    const nav = () => page.getByRole('navigation', { name: 'Main' });
    await nav().getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByLabel('Sign out after idle (minutes)').fill('600');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.', { exact: false }).waitFor();

    await nav().getByRole('link', { name: 'Live evidence' }).click();
    await page.getByRole('heading', { level: 1, name: 'Live evidence' }).waitFor();
    await page.getByRole('button', { name: 'Run checks now' }).click();
    await page.getByText(/The checks ran at .*failing/).waitFor({ timeout: 60_000 });

    await nav().getByRole('link', { name: 'Home', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    const failing = page.getByRole('region', { name: 'Failing evidence checks' });
    await failing.waitFor();
    // First on the page, before incidents, reviews and unpublished changes.
    const firstSection = page.locator('main section').first();
    expect(await firstSection.getAttribute('aria-labelledby')).toBe('failing-checks-title');
    const item = failing.getByRole('listitem').filter({ hasText: 'Session limits' });
    const text = (await item.textContent()) ?? '';
    expect(text).toContain('Failing');
    expect(text).toMatch(/since /);
    expect(text).toContain('600 minutes idle');
    expect(await item.getByRole('link', { name: 'Session Management' }).count()).toBe(1);

    const security = await (await fetch(`${attest.url}/t/demo/security`)).text();
    const start = security.indexOf('id="control-session-management"');
    const block = security.slice(start, security.indexOf('</li>', start));
    expect(block).toContain('Verification failing</span> since <time datetime="');
    expect(block).not.toContain('badge-implemented');
    const json = (await (await fetch(`${attest.url}/t/demo/security.json`)).json()) as {
      categories: { controls: { key: string; verification?: { status: string } }[] }[];
    };
    const control = json.categories
      .flatMap((category) => category.controls)
      .find((entry) => entry.key === 'session-management');
    expect(control?.verification?.status).toBe('failing');
    expect(tab.problems).toEqual([]);
  });
});
