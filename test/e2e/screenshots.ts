/*
 * Takes the README's screenshots of the admin console: `npm run build && npm run screenshots`.
 * 1280×800 pages, written to docs/screenshots/ (each should stay under 150 KB).
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { OWNER, repositoryRoot, startAttest } from './support/attest-server.js';
import { launchBrowser, openTab, signIn } from './support/browser.js';

const outDir = path.join(repositoryRoot, 'docs/screenshots');

const attest = await startAttest();
const browser = await launchBrowser();
try {
  await mkdir(outDir, { recursive: true });
  const { page } = await openTab(browser);
  await signIn(page, attest.url, OWNER);

  // Something to show on the home and publish screens: an edit that is not published yet.
  await page.getByRole('link', { name: 'Controls', exact: true }).click();
  await page.locator('table tbody tr td:first-child a').nth(1).click();
  await page.getByLabel('Status').selectOption('implemented');
  await page.getByRole('button', { name: 'Reviewed today' }).click();
  await page.getByRole('button', { name: 'Save control' }).click();
  await page.getByText(/^Saved “/).waitFor();

  const shots: { name: string; open: () => Promise<void> }[] = [
    {
      name: 'admin-controls.png',
      open: async () => {
        await page.getByRole('heading', { level: 1, name: 'Controls' }).waitFor();
      },
    },
    {
      name: 'admin-control-form.png',
      open: async () => {
        await page.locator('table tbody tr td:first-child a').first().click();
        await page.getByRole('button', { name: 'Save control' }).waitFor();
      },
    },
    {
      name: 'admin-publish.png',
      open: async () => {
        await page.getByRole('link', { name: 'Publish', exact: true }).click();
        await page.getByRole('list', { name: 'Unpublished changes' }).waitFor();
      },
    },
  ];
  for (const shot of shots) {
    await shot.open();
    await page.mouse.move(0, 0);
    const file = path.join(outDir, shot.name);
    await page.screenshot({ path: file });
    process.stdout.write(`${file}: ${Math.round((await stat(file)).size / 1024)} KB\n`);
  }
} finally {
  await browser.close();
  await attest.stop();
}
