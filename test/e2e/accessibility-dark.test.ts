import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { type RunningAttest, startAttest } from './support/attest-server.js';
import { launchBrowser } from './support/browser.js';
import { expectScreensAccessible } from './support/screens.js';

/*
 * The dark colour scheme has its own palette (the same components), so contrast is checked again on
 * the screens that use every part of it: badges, tables, notices, forms, secrets, navigation.
 */
const DARK_SAMPLE = ['Home', 'Controls', 'Publish', 'Members and roles', 'API keys', 'Audit log'];

describe('accessibility in the dark colour scheme', () => {
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

  it('finds no serious or critical axe violation in the dark colour scheme', async () => {
    await expectScreensAccessible(browser, attest.url, 'dark', DARK_SAMPLE);
  });
});
