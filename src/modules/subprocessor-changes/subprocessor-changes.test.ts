import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/support/app.js';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { startSmtpServer, type TestSmtpServer } from '../../../test/support/smtp.js';
import { type Permission, systemContext } from '../../platform/auth/context.js';
import { builtInRoles } from '../../platform/auth/roles.js';
import { withTenant } from '../../platform/db/tenancy.js';
import { AppError } from '../../platform/errors.js';
import { createFormRateLimiter } from '../../platform/http/form-rate-limit.js';
import { createLogger } from '../../platform/logging/logger.js';
import { createScheduler } from '../../worker/scheduler.js';
import { createFanOut } from '../notices/fan-out.js';
import { subscribers } from '../subscribers/subscribers.schema.js';
import { withdrawalPost } from './announcement.js';
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

describe('withdrawalPost', () => {
  const going = { ...newcomer, key: 'old', name: 'Old Host' };
  const withdrawn = (kind: 'add' | 'replace' | 'remove') =>
    withdrawalPost(
      {
        kind,
        subprocessorKey: kind === 'add' ? null : 'old',
        subprocessor: kind === 'remove' ? null : { ...newcomer, name: 'New *Mail* Ltd' },
        effectiveOn: '2027-01-05',
        announcedAt: new Date('2026-12-01T10:00:00Z'),
      },
      kind === 'add' ? undefined : going,
    );
  it('says what will not happen, for each kind, with names escaped in the Markdown body', () => {
    expect(withdrawn('add').title).toBe('Withdrawn: New *Mail* Ltd will not be added on 2027-01-05');
    expect(withdrawn('replace')).toEqual({
      title: 'Withdrawn: Old Host will not be replaced by New *Mail* Ltd on 2027-01-05',
      body:
        'On 2026-12-01 we announced that Old Host would be replaced by New \\*Mail\\* Ltd on 2027-01-05. ' +
        'That announcement is withdrawn.\n\nNothing changes: Old Host remains a subprocessor and ' +
        'New \\*Mail\\* Ltd will not become one.',
    });
    expect(withdrawn('remove').title).toBe('Withdrawn: Old Host will not be removed on 2027-01-05');
    expect(withdrawn('remove').body).toContain('Nothing changes: Old Host remains a subprocessor.');
  });
});

describe.each(testDatabaseKinds)('subprocessor changes with advance notice on $name', (kind) => {
  const time = manualClock(new Date('2026-11-26T09:00:00Z'));
  let smtp: TestSmtpServer;
  const holder = useTestApp(kind, {
    clock: time.clock,
    async smtpUrl() {
      smtp = await startSmtpServer();
      return smtp.url;
    },
  });
  let tenantId = '';
  const today = '2026-11-26';

  const page = async (suffix = '') => holder.app.server.inject({ url: `/t/changes/subprocessors${suffix}` });
  const ctx = () => systemContext(tenantId, 'change-test');
  const bearer = async (permissions: Permission[]) =>
    `Bearer ${await holder.app.tokens.mint({
      subject: '00000000-0000-4000-8000-00000000000c',
      tenantId,
      permissions,
    })}`;

  beforeAll(async () => {
    const { services } = holder.app;
    tenantId = (await services.tenants.create({ slug: 'changes', name: 'Changes Tenant' })).id;
    await services.transfer.importDraft(systemContext(tenantId), sampleDocument('Changes'), {
      publish: true,
    });
  });
  afterAll(async () => {
    // The mailer's pooled connection first, or the server waits for it to time out.
    await holder.app.mailer.stop();
    await smtp?.close();
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
    expect((await changes.list(ctx())).items).toEqual([]);
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
    const [notice] = (await services.notices.list(ctx())).items;
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

  it('withdraws an announced change: off the public list, a withdrawal post, and a notice to subscribers', async () => {
    const { services } = holder.app;
    const dispatched: string[] = [];
    holder.app.setNoticeDispatcher((dispatchedTenant, noticeId) => {
      if (dispatchedTenant === tenantId) dispatched.push(noticeId);
    });
    await withTenant(holder.app.db, tenantId, (tx) =>
      tx.insert(subscribers).values(
        [
          { email: 'dpo@customer.example', topics: ['subprocessors' as const], confirmed: true },
          { email: 'all@customer.example', topics: ['all' as const], confirmed: true },
          { email: 'incidents@customer.example', topics: ['incidents' as const], confirmed: true },
          { email: 'unconfirmed@customer.example', topics: ['all' as const], confirmed: false },
        ].map(({ email, topics, confirmed }) => ({
          tenantId,
          email,
          topics,
          confirmedAt: confirmed ? time.clock() : null,
          createdAt: time.clock(),
        })),
      ),
    );
    const effectiveOn = addDays(time.clock().toISOString().slice(0, 10), 31);
    const change = await services.subprocessorChanges.announce(ctx(), {
      kind: 'remove',
      subprocessorKey: 'hoster',
      effectiveOn,
    });
    expect((await page('.json')).json().upcomingChanges).toHaveLength(1);
    const noticesBefore = (await services.notices.list(ctx())).items;
    const postsBefore = (await services.posts.list(ctx())).items;
    dispatched.length = 0;

    const withdrawn = await holder.app.server.inject({
      method: 'DELETE',
      url: `/api/v1/subprocessor-changes/${change.id}`,
      headers: { authorization: await bearer(['content:publish', 'content:read']) },
    });
    expect(withdrawn.statusCode).toBe(204);
    expect((await page('.json')).json().upcomingChanges).toEqual([]);
    expect(await services.subprocessorChanges.get(ctx(), change.id)).toMatchObject({ state: 'cancelled' });

    // Exactly one post, published, and exactly one notice for the subprocessors topic, dispatched.
    const title = `Withdrawn: Changes Hosting will not be removed on ${effectiveOn}`;
    const newPosts = (await services.posts.list(ctx())).items.filter(
      (post) => !postsBefore.some((before) => before.id === post.id),
    );
    expect(newPosts).toMatchObject([{ kind: 'subprocessor', title }]);
    expect(newPosts[0]?.publishedAt).not.toBeNull();
    const newNotices = (await services.notices.list(ctx())).items.filter(
      (notice) => !noticesBefore.some((before) => before.id === notice.id),
    );
    expect(newNotices).toMatchObject([
      { topic: 'subprocessors', subject: title, updateId: newPosts[0]?.id, state: 'pending' },
    ]);
    expect(dispatched).toEqual([newNotices[0]?.id]);

    // The public feed shows it, from the snapshot.
    const feed = (await holder.app.server.inject({ url: '/t/changes/updates.json' })).json();
    const item = feed.items.find((entry: { title: string }) => entry.title === title);
    expect(item?.content_html).toContain('That announcement is withdrawn.');
    expect(item?.content_html).toContain('Nothing changes: Changes Hosting remains a subprocessor.');
    expect((await holder.app.server.inject({ url: '/t/changes/updates' })).body).toContain(title);

    // Subscribers of subprocessor changes and of everything get the mail; nobody else does.
    const fanOut = createFanOut({
      db: holder.app.db,
      sealer: holder.sealer,
      clock: time.clock,
      publicUrl: 'http://127.0.0.1:3000',
    });
    const start = smtp.received.length;
    expect(await fanOut(tenantId, newNotices[0]?.id ?? '')).toMatchObject({ state: 'sent', recipients: 2 });
    await holder.app.mailer.deliverDue();
    const mails = smtp.received.slice(start);
    expect(mails.flatMap((mail) => mail.to).sort()).toEqual(['all@customer.example', 'dpo@customer.example']);
    for (const mail of mails) {
      expect(mail.headers.subject).toBe(title);
      expect(mail.text).toContain(
        `we announced that Changes Hosting would no longer be a subprocessor from ${effectiveOn}`,
      );
    }

    // The audit log still records the withdrawal.
    const audit = await services.audit.list(ctx(), { limit: 20 });
    expect(audit.events.find((event) => event.action === 'subprocessor_change.cancelled')).toMatchObject({
      target: { type: 'subprocessor_change', id: change.id },
    });
  });

  it('refuses to withdraw twice, an applied change, or what is not this tenant’s, and tells nobody', async () => {
    const { services } = holder.app;
    const today = () => time.clock().toISOString().slice(0, 10);
    const withdrawnTwice = await services.subprocessorChanges.announce(ctx(), {
      kind: 'add',
      subprocessor: { ...newcomer, key: 'twice', name: 'Twice Ltd' },
      effectiveOn: addDays(today(), 40),
    });
    await services.subprocessorChanges.cancel(ctx(), withdrawnTwice.id);
    const applied = await services.subprocessorChanges.announce(ctx(), {
      kind: 'add',
      subprocessor: { ...newcomer, key: 'applied', name: 'Applied Ltd' },
      effectiveOn: addDays(today(), 30),
    });
    time.advance(30 * DAY_MS);
    expect(await services.subprocessorChanges.applyDue(tenantId)).toBe(1);

    const otherId = (await services.tenants.create({ slug: 'changes-other', name: 'Other Tenant' })).id;
    const other = systemContext(otherId, 'change-test');
    await services.transfer.importDraft(other, sampleDocument('Other'), { publish: true });
    const theirs = await services.subprocessorChanges.announce(other, {
      kind: 'remove',
      subprocessorKey: 'hoster',
      effectiveOn: addDays(today(), 35),
    });

    const counts = async () => ({
      notices: (await services.notices.list(ctx())).total,
      posts: (await services.posts.list(ctx())).total,
      theirNotices: (await services.notices.list(other)).total,
      theirPosts: (await services.posts.list(other)).total,
    });
    const before = await counts();
    const authorization = await bearer(['content:publish', 'content:read']);
    const withdraw = (id: string) =>
      holder.app.server.inject({
        method: 'DELETE',
        url: `/api/v1/subprocessor-changes/${encodeURIComponent(id)}`,
        headers: { authorization },
      });
    for (const id of [withdrawnTwice.id, applied.id]) {
      const refused = await withdraw(id);
      expect(refused.statusCode, id).toBe(409);
      expect(refused.json().error.code).toBe('subprocessor_change.not_scheduled');
    }
    for (const id of [theirs.id, '00000000-0000-4000-8000-000000000000']) {
      expect((await withdraw(id)).statusCode, id).toBe(404);
    }
    // What is not an id at all fails validation, as before.
    for (const id of ['not-a-uuid', "' OR 1=1 --"]) {
      expect((await withdraw(id)).statusCode, id).toBe(400);
    }
    expect(await counts()).toEqual(before);
    expect(await services.subprocessorChanges.get(other, theirs.id)).toMatchObject({ state: 'scheduled' });
    expect(await services.subprocessorChanges.get(ctx(), applied.id)).toMatchObject({ state: 'applied' });
  });
  it('tells whoever may read the content the notice period and the earliest date it allows', async () => {
    const read = async (permissions: Permission[]) =>
      holder.app.server.inject({
        url: '/api/v1/subprocessor-changes/notice-period',
        headers: { authorization: await bearer(permissions) },
      });
    const today = time.clock().toISOString().slice(0, 10);
    // An editor may announce but not read the notification settings; the announce form needs the period.
    const editor = await read([...builtInRoles.editor.permissions]);
    expect(editor.statusCode).toBe(200);
    expect(editor.json()).toEqual({ noticePeriodDays: 30, earliestEffectiveOn: addDays(today, 30) });

    await holder.app.services.notificationSettings.update(ctx(), {
      noticePeriodDays: 45,
      senderName: '',
      replyTo: null,
    });
    expect((await read(['content:read'])).json()).toEqual({
      noticePeriodDays: 45,
      earliestEffectiveOn: addDays(today, 45),
    });
    // The date is the one announce() accepts: a day earlier is refused.
    await expect(
      holder.app.services.subprocessorChanges.announce(ctx(), {
        kind: 'add',
        subprocessor: { ...newcomer, key: 'edge', name: 'Edge Ltd' },
        effectiveOn: addDays(today, 44),
      }),
    ).rejects.toMatchObject({ code: 'subprocessor_change.too_soon' });

    const refused = await read(['subscribers:read']);
    expect(refused.statusCode).toBe(403);
  });
});
