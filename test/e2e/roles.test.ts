import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OWNER, type RunningAttest, startAttest } from './support/attest-server.js';
import { expectAccessible, launchBrowser, openTab, signIn, type Tab } from './support/browser.js';

const REVIEWER = {
  email: 'reviewer@e2e.attest.example',
  password: 'quiet harbour lantern 4410 spruce',
  tenant: 'demo',
};

const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

describe('a custom role, edited in the console', () => {
  let attest: RunningAttest;
  let browser: Browser;
  let owner: Tab;
  let reviewer: Tab;

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

  it('is created, assigned to an invited member, and that member can sign in', async () => {
    owner = await openTab(browser);
    const { page } = owner;
    await signIn(page, attest.url, OWNER);
    await mainNav(page).getByRole('link', { name: 'Members and roles' }).click();

    // Built-in roles are shown as such, with nothing to change.
    const ownerRow = page.getByRole('row').filter({ hasText: 'built-in' }).first();
    await ownerRow.getByText('Read-only').waitFor();
    expect(await ownerRow.getByRole('button', { name: /Edit/ }).count()).toBe(0);

    const create = page.getByRole('form', { name: 'Create a custom role' });
    await create.getByLabel(/^Name/).fill('Security reviewer');
    await create.getByLabel(/^Key/).fill('security-reviewer');
    // Permissions are grouped and labelled in words; "View content" is ticked to start with.
    await create.getByRole('group', { name: 'Trust center content' }).waitFor();
    expect(await create.getByLabel('View content').isChecked()).toBe(true);
    await create.getByRole('button', { name: 'Create role' }).click();
    const row = page.getByRole('row', { name: /Security reviewer/ });
    await row.getByRole('cell', { name: 'View content', exact: true }).waitFor();

    await page.getByLabel(/^E-mail address/).fill(REVIEWER.email);
    await page.getByLabel('Role', { exact: true }).selectOption('security-reviewer');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    const link = (await page.getByTestId('one-time-secret').textContent()) ?? '';
    await page.getByRole('button', { name: 'I have saved it' }).click();

    reviewer = await openTab(browser);
    await reviewer.page.goto(link);
    await reviewer.page.getByLabel(/^Choose a password/).fill(REVIEWER.password);
    await reviewer.page.getByRole('button', { name: 'Accept invitation' }).click();
    await reviewer.page.getByText('You have joined').waitFor();
    await signIn(reviewer.page, attest.url, REVIEWER);
    expect(await mainNav(reviewer.page).getByRole('link', { name: 'Audit log' }).count()).toBe(0);
  });

  it("changes the member's console once the owner edits the role's permissions", async () => {
    const { page } = owner;
    await page.getByRole('button', { name: 'Edit the role Security reviewer' }).click();
    const edit = page.getByRole('form', { name: 'Edit the role Security reviewer' });
    const name = edit.getByLabel(/^Name/);
    await expect.poll(() => page.evaluate('document.activeElement.name')).toBe('name');

    // Validated as it is typed, with the API's own rules.
    await name.fill('');
    await edit.getByText('Required.', { exact: true }).waitFor();
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await name.fill('Security auditor');

    await edit.getByLabel('Read the audit log').check();
    await edit.getByLabel('View members and roles').check();
    await expectAccessible(page, 'role editor');
    await edit.getByRole('button', { name: 'Save role' }).click();
    await page.getByText('The role Security auditor was saved.').waitFor();
    const row = page.getByRole('row', { name: /Security auditor/ });
    await row
      .getByRole('cell', { name: 'View content, View members and roles, Read the audit log' })
      .waitFor();
    // Focus returns to the button that opened the editor.
    await expect
      .poll(() => page.evaluate('document.activeElement.getAttribute("aria-label")'))
      .toBe('Edit the role Security auditor');

    // The member's next request carries the new permissions: the audit log and members appear.
    const member = reviewer.page;
    await member.reload();
    await mainNav(member).getByRole('link', { name: 'Audit log' }).click();
    await member.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await mainNav(member).getByRole('link', { name: 'Members and roles' }).click();
    await member.getByRole('cell', { name: REVIEWER.email, exact: true }).first().waitFor();
    // Viewing roles is not managing them.
    expect(await member.getByRole('button', { name: /^Edit the role/ }).count()).toBe(0);
    expect(await member.getByRole('form', { name: 'Create a custom role' }).count()).toBe(0);

    // Taking a permission away hides it again.
    await page.getByRole('button', { name: 'Edit the role Security auditor' }).click();
    await page
      .getByRole('form', { name: 'Edit the role Security auditor' })
      .getByLabel('Read the audit log')
      .uncheck();
    await page.getByRole('button', { name: 'Save role' }).click();
    await page.getByRole('cell', { name: 'View content, View members and roles', exact: true }).waitFor();
    await member.reload();
    await member.getByRole('heading', { level: 1, name: 'Members and roles' }).waitFor();
    expect(await mainNav(member).getByRole('link', { name: 'Audit log' }).count()).toBe(0);

    expect(owner.problems).toEqual([]);
    expect(reviewer.problems).toEqual([]);
  });
});
