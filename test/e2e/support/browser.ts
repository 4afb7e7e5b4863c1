import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium, as the probe and CI run it: no network beyond the machine, a fresh profile. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions (a CSP violation shows up here). */
  problems: string[];
}

/** A new browser context (own cookie jar, like another person or device) with one page. */
export async function openTab(
  browser: Browser,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<Tab> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    locale: 'en-GB',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    // A refused request (401/403 the test provoked) is logged by Chromium as a resource error.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return { context, page, problems };
}

export interface Credentials {
  email: string;
  password: string;
  tenant: string;
}

export async function signIn(page: Page, baseUrl: string, who: Credentials): Promise<void> {
  await page.goto(`${baseUrl}/admin/sign-in`);
  await page.getByLabel('E-mail address').fill(who.email);
  await page.getByLabel(/^Password/).fill(who.password);
  await page.getByLabel('Trust center').fill(who.tenant);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
}

const TOKENISH = /attest_|eyJ[A-Za-z0-9_-]{10,}|token|session|secret|jwt|bearer/i;

/**
 * The console keeps no credential where a script could read it: web storage is empty of anything
 * token-like and document.cookie is empty (the session cookie is HttpOnly).
 */
export async function expectNoTokenInStorage(page: Page): Promise<void> {
  const storage = await page.evaluate<{
    local: Record<string, string>;
    session: Record<string, string>;
    cookie: string;
  }>('({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })');
  expect(storage.cookie, 'document.cookie').toBe('');
  for (const [area, entries] of Object.entries({
    localStorage: storage.local,
    sessionStorage: storage.session,
  })) {
    for (const [key, value] of Object.entries(entries)) {
      expect(`${key}=${value}`, `${area} holds something token-like`).not.toMatch(TOKENISH);
    }
  }
  // The session cookie itself is there, but only for the browser: HttpOnly, Secure, host-only.
  const cookies = await page.context().cookies();
  for (const cookie of cookies) {
    expect(cookie.httpOnly, `${cookie.name} is HttpOnly`).toBe(true);
    expect(cookie.secure, `${cookie.name} is Secure`).toBe(true);
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * axe-core finds no serious or critical violation on the page as it is now. It is evaluated
 * through the DevTools protocol, which the page's CSP does not govern; the preview frame (the
 * public page, checked on its own) is left out.
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run({ exclude: [['iframe']] }, { iframes: false, resultTypes: ['violations'] }).then((result) => result.violations)`,
  );
  const serious = violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${JSON.stringify(violation.nodes.slice(0, 3).map((node) => node.target))}`,
    );
  expect(serious, `axe on ${screen}`).toEqual([]);
}
