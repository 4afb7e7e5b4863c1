import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OWNER, type RunningAttest, startAttest } from './support/attest-server.js';
import {
  expectAccessible,
  expectNoTokenInStorage,
  launchBrowser,
  openTab,
  signIn,
} from './support/browser.js';

function codeAt(secret: string, timestamp: number): string {
  return new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({
    timestamp,
  });
}

async function signInWithCode(page: Page, baseUrl: string, code: string) {
  await page.goto(`${baseUrl}/admin/sign-in`);
  await page.getByLabel(/^E-mail address/).fill(OWNER.email);
  await page.getByLabel(/^Password/).fill(OWNER.password);
  await page.getByLabel('Trust center').fill(OWNER.tenant);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
  await page.getByLabel(/^Code/).fill(code);
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
}

/** The credentials a person manages in the console: API keys, and a second factor for signing in. */
describe('API keys and two-factor authentication', () => {
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

  async function callApi(secret: string): Promise<number> {
    const response = await fetch(`${attest.url}/api/v1/profile`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    return response.status;
  }

  it('creates a key with scopes and expiry, shows its secret once, rotates and revokes it', async () => {
    const { page, problems } = await openTab(browser);
    await signIn(page, attest.url, OWNER);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText('There are no API keys yet.').waitFor();

    await page.getByLabel(/^Name/).fill('CI import');
    await page.getByLabel('content:write').check();
    const expiry = page.getByLabel('Expires after (days)');
    await expiry.fill('400');
    await page.getByText('Use 365 or less.').waitFor();
    expect(await expiry.getAttribute('aria-invalid')).toBe('true');
    await expiry.fill('30');
    await page.getByRole('button', { name: 'Create key' }).click();

    const secretBox = page.getByTestId('one-time-secret');
    const secret = (await secretBox.textContent()) ?? '';
    expect(secret).toMatch(/^attest_[0-9a-f]{32}_/);
    await expectAccessible(page, 'API key secret shown once');
    await expectNoTokenInStorage(page);
    expect(await callApi(secret)).toBe(200);

    await page.getByRole('button', { name: 'I have saved it' }).click();
    await expect.poll(() => page.content()).not.toContain(secret);
    const row = page.getByRole('row', { name: /CI import/ });
    await row.getByText('active').waitFor();
    expect(await row.textContent()).toContain('content:read, content:write');

    // Rotation: a successor secret, shown once; the old one keeps working through the overlap.
    await page.getByRole('button', { name: 'Rotate CI import' }).first().click();
    const successor = (await page.getByTestId('one-time-secret').textContent()) ?? '';
    expect(successor).toMatch(/^attest_/);
    expect(successor).not.toBe(secret);
    expect(await callApi(successor)).toBe(200);
    expect(await callApi(secret)).toBe(200);
    await page.getByRole('button', { name: 'I have saved it' }).click();

    // Revoking works at once, for every key named CI import (the original and its successor).
    for (let remaining = 2; remaining > 0; remaining -= 1) {
      await page.getByRole('button', { name: 'Revoke', exact: true }).first().click();
      await page.getByRole('button', { name: /^Yes, revoke/ }).click();
      await expect
        .poll(() => page.getByRole('button', { name: 'Revoke', exact: true }).count())
        .toBe(remaining - 1);
    }
    expect(await page.getByText('revoked', { exact: true }).count()).toBe(2);
    expect(await callApi(secret)).toBe(401);
    expect(await callApi(successor)).toBe(401);
    await expectNoTokenInStorage(page);
    expect(problems).toEqual([]);
  });

  it('is set up in the console, then asked for at sign-in (a code, or a recovery code)', async () => {
    const { page, problems } = await openTab(browser);
    await page.goto(`${attest.url}/admin/sign-in`);
    await page.getByLabel(/^E-mail address/).fill(OWNER.email);
    await page.getByLabel(/^Password/).fill(OWNER.password);
    await page.getByLabel('Trust center').fill(OWNER.tenant);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Two-factor authentication' }).click();
    await page.getByRole('button', { name: 'Start set-up' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    expect(await page.getByTestId('otpauth-uri').textContent()).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    await page.getByLabel(/^Code from the app/).fill(codeAt(secret, Date.now()));
    await page.getByRole('button', { name: 'Turn on' }).click();

    const codes = page.getByTestId('one-time-secret').getByRole('listitem');
    await expect.poll(() => codes.count()).toBe(10);
    const recoveryCode = (await codes.first().textContent()) ?? '';
    await expectAccessible(page, 'recovery codes shown once');
    await expectNoTokenInStorage(page);
    await page.getByRole('button', { name: 'I have saved it' }).click();
    await page.getByRole('heading', { name: 'Two-factor authentication is on' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();

    // A wrong code is refused next to the form; the next step's code gets in (the last one is spent).
    await signInWithCode(page, attest.url, '000000');
    await page.getByText('That code is not valid.').waitFor();
    await expectAccessible(page, 'sign-in code step with an error');
    await page.getByLabel(/^Code/).fill(codeAt(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signInWithCode(page, attest.url, recoveryCode);
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await expectNoTokenInStorage(page);
    expect(problems).toEqual([]);
  });
});
