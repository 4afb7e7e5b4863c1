import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { OWNER } from './attest-server.js';
import { expectAccessible, expectNoTokenInStorage, openTab, signIn } from './browser.js';
import { documentsScreens } from './screens-documents.js';
import { updatesScreens } from './screens-updates.js';

/** Every screen of the console, by the link that leads there and the h1 it shows. */
export const screens: { link: string; heading: string }[] = [
  { link: 'Home', heading: 'Home' },
  { link: 'Profile', heading: 'Trust center profile' },
  { link: 'Controls', heading: 'Controls' },
  { link: 'Categories', heading: 'Categories' },
  { link: 'FAQ', heading: 'FAQ' },
  { link: 'Subprocessors', heading: 'Subprocessors' },
  { link: 'Knowledge base', heading: 'Knowledge base' },
  { link: 'Preview', heading: 'Preview' },
  { link: 'Publish', heading: 'Publish' },
  { link: 'Live evidence', heading: 'Live evidence' },
  ...documentsScreens,
  ...updatesScreens,
  { link: 'Members and roles', heading: 'Members and roles' },
  { link: 'API keys', heading: 'API keys' },
  { link: 'Audit log', heading: 'Audit log' },
  { link: 'Settings', heading: 'Settings' },
  { link: 'Sessions', heading: 'Your sessions' },
  { link: 'Two-factor authentication', heading: 'Two-factor authentication' },
];

async function settled(page: Page) {
  // Lists load after the heading: wait until no loading state is left.
  await page.locator('[role="status"] .spinner').first().waitFor({ state: 'detached' });
}

/**
 * Signs in as the owner and runs axe on every screen (or those named), and on the forms reached
 * from the lists.
 */
export async function expectScreensAccessible(
  browser: Browser,
  baseUrl: string,
  colorScheme: 'light' | 'dark',
  only?: readonly string[],
) {
  const { page, problems, context } = await openTab(browser, { colorScheme });
  await page.goto(`${baseUrl}/admin/sign-in`);
  await page.getByRole('heading', { name: 'Sign in to Attest' }).waitFor();
  await expectAccessible(page, `sign-in (${colorScheme})`);
  await signIn(page, baseUrl, OWNER);
  const main = page.getByRole('navigation', { name: 'Main' });
  for (const screen of screens.filter((entry) => !only || only.includes(entry.heading))) {
    await main.getByRole('link', { name: screen.link, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: screen.heading }).waitFor();
    await settled(page);
    await expectAccessible(page, `${screen.heading} (${colorScheme})`);
  }
  await main.getByRole('link', { name: 'Controls', exact: true }).click();
  await page.locator('table tbody tr td:first-child a').first().click();
  await page.getByRole('button', { name: 'Save control' }).waitFor();
  await expectAccessible(page, `control form (${colorScheme})`);
  await main.getByRole('link', { name: 'FAQ', exact: true }).click();
  await page.getByRole('link', { name: 'Add question' }).click();
  await page.getByRole('button', { name: 'Add question' }).click();
  await page.getByText('Required.').first().waitFor();
  await expectAccessible(page, `FAQ form with errors (${colorScheme})`);
  await main.getByRole('link', { name: 'Subprocessors', exact: true }).click();
  await page.locator('table tbody tr td:first-child a').first().click();
  await page.getByRole('button', { name: 'Save' }).waitFor();
  await expectAccessible(page, `subprocessor form (${colorScheme})`);
  await main.getByRole('link', { name: 'Two-factor authentication', exact: true }).click();
  await page.getByRole('button', { name: 'Start set-up' }).click();
  await page.getByTestId('otpauth-uri').waitFor();
  await expectAccessible(page, `two-factor set-up (${colorScheme})`);
  await expectNoTokenInStorage(page);
  expect(problems, `console errors (${colorScheme})`).toEqual([]);
  await context.close();
}
