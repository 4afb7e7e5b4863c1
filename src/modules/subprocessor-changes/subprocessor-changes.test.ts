import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/support/app.js';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { systemContext } from '../../platform/auth/context.js';
import { AppError } from '../../platform/errors.js';
import { createFormRateLimiter } from '../../platform/http/form-rate-limit.js';
import { createLogger } from '../../platform/logging/logger.js';
import { createScheduler } from '../../worker/scheduler.js';
import { applyToList } from './apply-change.js';
import { addDays } from './subprocessor-changes.service.js';

const DAY_MS = 86_400_000;
const newcomer = {
  key: 'mailer',
  name: 'Newcomer Mail Ltd',
  legalEntity: 'Newcomer Mail Ltd, Dublin',
  purpose: 'Sending notification mails',
  dataProcessed: 'E-mail addresses',
  location: 'Ireland',
  transferSafeguards: 'None needed (EU)',
  website: 'https://newcomer.example',
};

describe('applyToList', () => {
  const list = [
    { ...newcomer, key: 'a', name: 'A' },
    { ...newcomer, key: 'b', name: 'B' },
  ];
  it('adds at the end, replaces in place and removes', () => {
    expect(
      applyToList(list, { kind: 'add', subprocessorKey: null, subprocessor: newcomer }).map((i) => i.key),
    ).toEqual(['a', 'b', 'mailer']);
    expect(
      applyToList(list, { kind: 'replace', subprocessorKey: 'a', subprocessor: newcomer }).map((i) => i.key),
    ).toEqual(['mailer', 'b']);
    expect(
      applyToList(list, { kind: 'remove', subprocessorKey: 'b', subprocessor: null }).map((i) => i.key),
    ).toEqual(['a']);
    expect(applyToList(list, { kind: 'remove', subprocessorKey: 'gone', subprocessor: null })).toEqual(list);
  });
});

describe.each(testDatabaseKinds)('subprocessor changes with advance notice on $name', (kind) => {
  const time = manualClock(new Date('2026-11-26T09:00:00Z'));
  const holder = useTestApp(kind, { clock: time.clock });
  let tenantId = '';
  const today = '2026-11-26';

  const page = async (suffix = '') => holder.app.server.inject({ url: `/t/changes/subprocessors${suffix}` });
  const ctx = () => systemContext(tenantId, 'change-test');

  beforeAll(async () => {
    const { services } = holder.app;
    tenantId = (await services.tenants.create({ slug: 'changes', name: 'Changes Tenant' })).id;
    await services.transfer.importDraft(systemContext(tenantId), sampleDocument('Changes'), {
      publish: true,
    });
  });

  it('refuses an effective date inside the notice period, and unknown or taken keys', async () => {
    const changes = holder.app.services.subprocessorChanges;
    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'accepted',
        (error: unknown) => (error instanceof AppError ? error.code : String(error)),
      );
    expect(
      await codeOf(
        changes.announce(ctx(), { kind: 'add', subprocessor: newcomer, effectiveOn: addDays(today, 29) }),
      ),
    ).toBe('subprocessor_change.too_soon');
    expect(
      await codeOf(
        changes.announce(ctx(), {
          kind: 'remove',
          subprocessorKey: 'nobody',
          effectiveOn: addDays(today, 40),
        }),
      ),
    ).toBe('subprocessor_change.unknown_subprocessor');
    expect(
      await codeOf(
        changes.announce(ctx(), {
          kind: 'add',
          subprocessor: { ...newcomer, key: 'hoster' },
          effectiveOn: addDays(today, 40),
        }),
      ),
    ).toBe('subprocessor_change.key_taken');
    // A tenant may ask for a longer notice period.
    await holder.app.services.notificationSettings.update(ctx(), {
      noticePeriodDays: 45,
      senderName: '',
      replyTo: null,
    });
    expect(
      await codeOf(
        changes.announce(ctx(), { kind: 'add', subprocessor: newcomer, effectiveOn: addDays(today, 40) }),
      ),
    ).toBe('subprocessor_change.too_soon');
    await holder.app.services.notificationSettings.update(ctx(), {
      noticePeriodDays: 30,
      senderName: '',
      replyTo: null,
    });
    expect(await changes.list(ctx())).toEqual([]);
  });

  it('shows a change announced today as upcoming, and applies it by itself at its date', async () => {
    const { services } = holder.app;
    // An unpublished draft edit must not be published by the change.
    await services.profile.update(ctx(), {
      ...sampleDocument('Changes').profile,
      tagline: 'UNPUBLISHED DRAFT TAGLINE',
    });
    const effectiveOn = addDays(today, 30);
    const change = await services.subprocessorChanges.announce(ctx(), {
      kind: 'add',
      subprocessor: newcomer,
      summary: 'We move notification mail to a specialised provider.',
      effectiveOn,
    });
    expect(change).toMatchObject({ state: 'scheduled', effectiveOn });

    const html = await page();
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain(`List as of <time datetime="${today}">${today}</time>`);
    expect(html.body).toContain('Upcoming changes');
    expect(html.body).toContain(
      `From <time datetime="${effectiveOn}">${effectiveOn}</time>:</strong> Newcomer Mail Ltd will be added`,
    );
    expect(html.body).toContain('To object to a change, contact <a href="mailto:security@changes.example">');
    expect(html.body).not.toContain('<th scope="row">Newcomer Mail Ltd</th>');
    const json = (await page('.json')).json();
    expect(json.asOf).toBe(today);
    expect(json.upcomingChanges).toMatchObject([
      { kind: 'add', effectiveOn, adds: { name: 'Newcomer Mail Ltd' } },
    ]);
    expect(json.objectionContact).toBe('security@changes.example');
    expect(json.subprocessors.map((item: { key: string }) => item.key)).toEqual(['hoster']);
    expect((await page('.md')).body).toContain(`- From ${effectiveOn}: Newcomer Mail Ltd will be added.`);
    const feed = await holder.app.server.inject({ url: '/t/changes/updates' });
    expect(feed.body).toContain(`New subprocessor from ${effectiveOn}: Newcomer Mail Ltd`);
    for (const response of [html, feed]) expect(response.body).not.toContain('UNPUBLISHED DRAFT TAGLINE');
    const [notice] = await services.notices.list(ctx());
    expect(notice).toMatchObject({ topic: 'subprocessors', state: 'pending' });

    const scheduler = createScheduler({
      db: holder.app.db,
      services,
      limiter: createFormRateLimiter({ db: holder.app.db, clock: time.clock }),
      dispatch: () => {},
      clock: time.clock,
      logger: createLogger('silent'),
    });
    time.advance(29 * DAY_MS);
    expect((await scheduler.tick()).applied).toBe(0);
    expect((await page('.json')).json().upcomingChanges).toHaveLength(1);

    time.advance(1 * DAY_MS);
    expect((await scheduler.tick()).applied).toBe(1);
    expect((await scheduler.tick()).applied, 'a second tick finds nothing').toBe(0);
    const after = (await page('.json')).json();
    expect(after.asOf).toBe(effectiveOn);
    expect(after.upcomingChanges).toEqual([]);
    expect(after.subprocessors.map((item: { key: string }) => item.key)).toEqual(['hoster', 'mailer']);
    expect((await page()).body).toContain('<th scope="row">Newcomer Mail Ltd</th>');
    expect((await page()).body).not.toContain('UNPUBLISHED DRAFT TAGLINE');
    expect((await services.subprocessors.list(ctx())).map((item) => item.key)).toEqual(['hoster', 'mailer']);
    expect(await services.subprocessorChanges.get(ctx(), change.id)).toMatchObject({ state: 'applied' });
  });

  it('withdraws a scheduled change from the public list', async () => {
    const { services } = holder.app;
    const change = await services.subprocessorChanges.announce(ctx(), {
      kind: 'remove',
      subprocessorKey: 'hoster',
      effectiveOn: addDays(time.clock().toISOString().slice(0, 10), 31),
    });
    expect((await page('.json')).json().upcomingChanges).toHaveLength(1);
    await services.subprocessorChanges.cancel(ctx(), change.id);
    expect((await page('.json')).json().upcomingChanges).toEqual([]);
    await expect(services.subprocessorChanges.cancel(ctx(), change.id)).rejects.toThrow(AppError);
  });
});
