/*
 * Takes the README's screenshots of the admin console: `npm run build && npm run screenshots`.
 * 1280×800 pages, written to docs/screenshots/ (each should stay under 150 KB).
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { samplePdf } from '../support/documents.js';
import { OWNER, repositoryRoot, startAttest } from './support/attest-server.js';
import { launchBrowser, openTab, signIn } from './support/browser.js';

const outDir = path.join(repositoryRoot, 'docs/screenshots');
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

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
    {
      name: 'admin-documents.png',
      open: async () => {
        await page.getByRole('link', { name: 'Documents', exact: true }).click();
        const form = page.getByRole('form', { name: 'Upload a document' });
        const uploads = [
          { title: 'SOC 2 Type II report', category: 'certification_report', access: 'gated', days: 20 },
          { title: 'Penetration test summary 2026', category: 'pentest', access: 'gated', days: 300 },
          { title: 'Data Processing Agreement', category: 'legal', access: 'public', days: 0 },
        ];
        for (const upload of uploads) {
          await form.getByLabel(/^Title/).fill(upload.title);
          await form.getByLabel('Category').selectOption(upload.category);
          await form.getByLabel('Access', { exact: true }).selectOption(upload.access);
          if (upload.days) await form.getByLabel('Valid until').fill(inDays(upload.days));
          await form.getByLabel(/^File/).setInputFiles({
            name: `${upload.title.toLowerCase().replaceAll(' ', '-')}.pdf`,
            mimeType: 'application/pdf',
            buffer: await samplePdf(upload.title),
          });
          await form.getByRole('button', { name: 'Upload document' }).click();
          await page.getByRole('row', { name: new RegExp(upload.title) }).waitFor();
        }
        await page.getByRole('heading', { level: 1, name: 'Documents' }).focus();
      },
    },
    {
      name: 'admin-incident.png',
      open: async () => {
        await page.getByRole('link', { name: 'Incidents', exact: true }).click();
        await page.getByRole('link', { name: 'Record an incident' }).click();
        await page.getByLabel(/^Title/).fill('Delayed e-mail delivery for notifications');
        // datetime-local is wall time in the browser's zone.
        const twentyHoursAgo = await page.evaluate(() => {
          const date = new Date(Date.now() - 20 * 3_600_000);
          return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
        });
        await page.getByLabel(/^Detected at/).fill(twentyHoursAgo);
        await page.getByRole('button', { name: 'Record incident' }).click();
        await page
          .locator('section[aria-labelledby="notify-heading"] .notice')
          .getByText('Deadline near')
          .waitFor();
      },
    },
    {
      name: 'admin-evidence.png',
      open: async () => {
        await page.getByRole('link', { name: 'Live evidence', exact: true }).click();
        await page.getByRole('button', { name: 'Run checks now' }).click();
        await page.getByText(/The checks ran at .*: \d+ passing\./).waitFor();
      },
    },
    {
      name: 'public-evidence.png',
      open: async () => {
        await page.goto(`${attest.url}/t/demo/evidence`);
        await page.getByRole('heading', { level: 1 }).waitFor();
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
