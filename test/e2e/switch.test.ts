import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OWNER, type RunningAttest, runAttestCli, startAttest } from './support/attest-server.js';
import {
  expectAccessible,
  expectNoTokenInStorage,
  launchBrowser,
  openTab,
  signIn,
  type Tab,
} from './support/browser.js';

const SECOND = { slug: 'second', name: 'Second Trust' };

const brand = (page: Page) => page.locator('header .brand');
const switcher = (page: Page) => page.getByRole('form', { name: 'Switch trust center' });

/** Chooses a trust center by typing its first letter in the select, then Tab and Enter on Switch. */
async function switchWithKeyboard(page: Page, firstLetter: string): Promise<void> {
  await switcher(page).getByLabel('Trust center').focus();
  await page.keyboard.press(firstLetter);
  // Switch is disabled until the choice differs from the current trust center: Tab once React
  // has enabled it, or focus would skip it.
  await expect.poll(() => switcher(page).getByRole('button', { name: 'Switch' }).isEnabled()).toBe(true);
  await page.keyboard.press('Tab');
  await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Switch');
  await page.keyboard.press('Enter');
}

describe('a person in two trust centers switches between them', () => {
  let dataDir: string;
  let attest: RunningAttest;
  let browser: Browser;
  let tab: Tab;

  beforeAll(async () => {
    // The demo owner also joins a second trust center, as an operator would add them with the CLI.
    dataDir = await mkdtemp(path.join(tmpdir(), 'attest-e2e-switch-'));
    await cp(inject('attestTemplate'), dataDir, { recursive: true });
    await runAttestCli(dataDir, ['tenant', 'create', '--slug', SECOND.slug, '--name', SECOND.name]);
    await runAttestCli(dataDir, [
      'user',
      'create',
      '--tenant',
      SECOND.slug,
      '--email',
      OWNER.email,
      '--role',
      'editor',
    ]);
    [attest, browser] = await Promise.all([startAttest({ dataDir }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await attest?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('signs in to the demo and sees both trust centers in an accessible switcher', async () => {
    tab = await openTab(browser);
    const { page } = tab;
    await signIn(page, attest.url, OWNER);
    await expect.poll(() => brand(page).textContent()).toContain('Attest Demo');
    const select = switcher(page).getByLabel('Trust center');
    await select.waitFor();
    const options = await select.locator('option').allTextContents();
    expect(options).toEqual(['Attest Demo (Owner), current', `${SECOND.name} (Editor)`]);
    expect(await switcher(page).getByRole('button', { name: 'Switch' }).isDisabled()).toBe(true);
    await expectAccessible(page, 'top bar with the trust center switcher');
  });

  it('switches to the second trust center with the keyboard: its name, role and (empty) controls', async () => {
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Controls' }).click();
    await page.getByRole('heading', { level: 1, name: 'Controls' }).waitFor();
    await page.getByRole('link', { name: 'Encryption in Transit' }).waitFor();

    await switchWithKeyboard(page, 'S');
    await expect.poll(() => brand(page).textContent()).toContain(SECOND.name);
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await page.getByText(`What needs attention in ${SECOND.name}'s trust center.`).waitFor();
    // Focus moved to the new page's heading, and the change was announced.
    await expect.poll(() => page.evaluate('document.activeElement?.tagName')).toBe('H1');
    await switcher(page).getByRole('status').getByText(`Switched to ${SECOND.name}.`).waitFor();
    await page.locator('.account').getByText('(editor)', { exact: true }).waitFor();
    // An editor here: no administration pages.
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Audit log' }).count()).toBe(0);

    await nav.getByRole('link', { name: 'Controls' }).click();
    await page.getByRole('heading', { level: 1, name: 'Controls' }).waitFor();
    await page.getByText('There are no categories yet').waitFor();
    expect(await page.getByRole('row').count()).toBe(0);
    expect(await page.getByText('Encryption in Transit').count()).toBe(0);
    await expectAccessible(page, 'the second trust center after a switch');
  });

  it('switches back, with no credential a script could read and no console errors', async () => {
    const { page } = tab;
    await switchWithKeyboard(page, 'A');
    await expect.poll(() => brand(page).textContent()).toContain('Attest Demo');
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await page.locator('.account').getByText('(owner)', { exact: true }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();

    expect(await page.evaluate('document.cookie')).toBe('');
    await expectNoTokenInStorage(page);
    expect(tab.problems).toEqual([]);
  });
});
