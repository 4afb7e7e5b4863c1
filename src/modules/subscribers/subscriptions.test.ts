import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/support/app.js';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { startSmtpServer, type TestSmtpServer } from '../../../test/support/smtp.js';
import { systemContext } from '../../platform/auth/context.js';
import { createFormRateLimiter } from '../../platform/http/form-rate-limit.js';
import { createLogger } from '../../platform/logging/logger.js';
import { mailOutbox } from '../../platform/mail/mail.schema.js';
import { createScheduler } from '../../worker/scheduler.js';
import { createFanOut } from '../notices/fan-out.js';

const ORIGIN = 'http://127.0.0.1:3000';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The path and query of an absolute link on the test app's origin (followed with inject). */
function pathOf(link: string): string {
  const url = new URL(link);
  expect(url.origin).toBe(ORIGIN);
  return `${url.pathname}${url.search}`;
}

function linkAfter(text: string, label: string): string {
  const match = new RegExp(`${label}\\s*(https?://\\S+)`).exec(text);
  if (!match?.[1]) throw new Error(`no link after "${label}" in:\n${text}`);
  return match[1];
}

describe.each(testDatabaseKinds)('subscriptions by e-mail on $name', (kind) => {
  const time = manualClock();
  let smtp: TestSmtpServer;
  const holder = useTestApp(kind, {
    clock: time.clock,
    async smtpUrl() {
      smtp = await startSmtpServer();
      return smtp.url;
    },
  });
  let tenantId = '';

  const inject = (options: InjectOptions) => holder.app.server.inject(options);
  const subscribe = (body: string, headers: Record<string, string> = { origin: ORIGIN }) =>
    inject({ method: 'POST', url: '/t/subs/subscribe', headers: { ...FORM, ...headers }, payload: body });
  const subscribers = () => holder.app.services.subscribers.list(systemContext(tenantId), { limit: 200 });
  /**
   * Runs the app's own mailer until the outbox is empty and returns what arrived since `start`.
   * Subscribing kicks the mailer in the background too, so count from before the request.
   */
  const deliverSince = async (start: number) => {
    await holder.app.mailer.kick();
    await holder.app.mailer.deliverDue();
    return smtp.received.slice(start);
  };

  beforeAll(async () => {
    const { services } = holder.app;
    tenantId = (await services.tenants.create({ slug: 'subs', name: 'Subs Tenant' })).id;
    await services.transfer.importDraft(systemContext(tenantId), sampleDocument('Subs'), { publish: true });
    await services.notificationSettings.update(systemContext(tenantId), {
      noticePeriodDays: 30,
      senderName: 'Subs Security Team',
      replyTo: 'security@subs.example',
    });
  });
  afterAll(async () => {
    await smtp?.close();
  });

  it('double opt-in: a confirmation mail with one-click unsubscribe headers and a single-use link', async () => {
    const form = await inject({ url: '/t/subs/subscribe' });
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(form.body).toContain('<form class="subscribe-form" method="post" action="/t/subs/subscribe">');

    const start = smtp.received.length;
    const answer = await subscribe('email=Reader%40Customer.example&topics=subprocessors&topics=incidents');
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/t/subs/subscribe/sent');
    expect((await subscribers()).items).toMatchObject([
      { email: 'reader@customer.example', status: 'pending' },
    ]);

    const [mail, ...others] = await deliverSince(start);
    expect(others).toEqual([]);
    expect(mail?.to).toEqual(['reader@customer.example']);
    expect(mail?.headers.from).toContain('Subs Security Team');
    expect(mail?.headers['reply-to']).toBe('security@subs.example');
    expect(mail?.headers['list-unsubscribe']).toMatch(
      /^<http:\/\/127\.0\.0\.1:3000\/t\/subs\/unsubscribe\?id=[0-9a-f-]{36}&token=[\w-]{43}>$/,
    );
    expect(mail?.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const confirmLink = linkAfter(mail?.text ?? '', 'within 7 days:');

    // Opening the link shows a button; only the POST confirms (mail scanners follow links).
    const page = await inject({ url: pathOf(confirmLink) });
    expect(page.statusCode).toBe(200);
    expect((await subscribers()).items[0]?.status).toBe('pending');
    const token = /name="token" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const confirm = () =>
      inject({
        method: 'POST',
        url: '/t/subs/subscribe/confirm',
        headers: { ...FORM, origin: ORIGIN },
        payload: `token=${encodeURIComponent(token)}`,
      });
    const confirmed = await confirm();
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('Subscription confirmed');
    expect((await subscribers()).items).toMatchObject([
      { email: 'reader@customer.example', status: 'confirmed', topics: ['subprocessors', 'incidents'] },
    ]);
    expect((await confirm()).statusCode, 'the link works once').toBe(404);
  });

  it('gives the same answer whether or not the address is already subscribed', async () => {
    time.advance(time.minutes(10));
    const start = smtp.received.length;
    const known = await subscribe('email=reader%40customer.example&topics=all');
    const unknown = await subscribe('email=stranger%40elsewhere.example&topics=all');
    for (const response of [known, unknown]) {
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/t/subs/subscribe/sent');
      expect(response.body).toBe('');
    }
    expect(Object.keys(known.headers).sort()).toEqual(Object.keys(unknown.headers).sort());
    // The known subscriber's topics change only when the new link is confirmed.
    const items = (await subscribers()).items;
    expect(items.find((item) => item.email === 'reader@customer.example')?.topics).toEqual([
      'subprocessors',
      'incidents',
    ]);
    expect(await deliverSince(start)).toHaveLength(2);
  });

  it('mails a notice once per subscriber, with a working RFC 8058 one-click unsubscribe', async () => {
    const owner = systemContext(tenantId, 'owner-test');
    const start = smtp.received.length;
    const post = await holder.app.services.posts.create(owner, {
      kind: 'incident',
      title: 'Incident: delayed logins',
      body: 'Some customers could not sign in for **20 minutes**.',
    });
    await holder.app.services.posts.publish(owner, post.id);
    const [notice] = (await holder.app.services.notices.list(owner)).items;
    expect(notice).toMatchObject({ state: 'pending', topic: 'incidents' });
    const fanOut = createFanOut({
      db: holder.app.db,
      sealer: holder.sealer,
      clock: time.clock,
      publicUrl: ORIGIN,
    });
    expect(await fanOut(tenantId, notice?.id ?? '')).toMatchObject({ state: 'sent', recipients: 1 });
    expect(await fanOut(tenantId, notice?.id ?? '')).toMatchObject({ state: 'skipped' });

    const mails = await deliverSince(start);
    expect(mails.map((mail) => mail.to)).toEqual([['reader@customer.example']]);
    const [mail] = mails;
    expect(mail?.headers.subject).toBe('Incident: delayed logins');
    expect(mail?.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const unsubscribe = /^<(.+)>$/.exec(mail?.headers['list-unsubscribe'] ?? '')?.[1] ?? '';
    expect(mail?.text).toContain(`Unsubscribe with one click: ${unsubscribe}`);

    // A forged token is refused; the real one works without sign-in or Origin, and again.
    const forged = pathOf(unsubscribe).replace(/token=[\w-]+/, `token=${'A'.repeat(43)}`);
    const refused = await inject({
      method: 'POST',
      url: forged,
      headers: FORM,
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(refused.statusCode).toBe(404);
    const page = await inject({ url: pathOf(unsubscribe) });
    expect(page.statusCode).toBe(200);
    expect((await subscribers()).items.some((item) => item.email === 'reader@customer.example')).toBe(true);
    for (let round = 0; round < 2; round += 1) {
      const oneClick = await inject({
        method: 'POST',
        url: pathOf(unsubscribe),
        headers: FORM,
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(oneClick.statusCode).toBe(200);
      expect(oneClick.body).toContain('You are unsubscribed');
    }
    expect((await subscribers()).items.some((item) => item.email === 'reader@customer.example')).toBe(false);
  });

  it('answers hostile input to every public form with a 4xx and changes nothing', async () => {
    time.advance(time.hours(2));
    const countRows = async () => ({
      subscribers: (await subscribers()).total,
      outbox: (await holder.app.db.orm.select({ id: mailOutbox.id }).from(mailOutbox)).length,
    });
    const before = await countRows();
    const start = smtp.received.length;
    const long = 'x'.repeat(5000);
    const cases: [string, () => ReturnType<typeof inject>, number[]][] = [
      ['subscribe without Origin', () => subscribe('email=a%40b.example&topics=all', {}), [403]],
      [
        'subscribe from another site',
        () => subscribe('email=a%40b.example&topics=all', { origin: 'https://evil.example' }),
        [403],
      ],
      ['subscribe with a bad address', () => subscribe('email=not-an-address&topics=all'), [400]],
      ['subscribe with an unknown topic', () => subscribe('email=a%40b.example&topics=everything'), [400]],
      ['subscribe without topics', () => subscribe('email=a%40b.example'), [400]],
      ['subscribe with markup', () => subscribe('email=%3Cscript%3E%40b.example&topics=all'), [400]],
      [
        'subscribe with a header injection',
        () => subscribe('email=a%40b.example%0D%0ABcc%3Ac%40d.example&topics=all'),
        [400],
      ],
      ['subscribe with a huge body', () => subscribe(`email=${long}&topics=all`), [413]],
      [
        'subscribe with JSON prototype pollution',
        () =>
          inject({
            method: 'POST',
            url: '/t/subs/subscribe',
            headers: { 'content-type': 'application/json', origin: ORIGIN },
            payload: '{"__proto__":{"email":"a@b.example"},"topics":["all"]}',
          }),
        [400],
      ],
      [
        'subscribe as text/plain',
        () =>
          inject({
            method: 'POST',
            url: '/t/subs/subscribe',
            headers: { 'content-type': 'text/plain', origin: ORIGIN },
            payload: 'x',
          }),
        [400, 415],
      ],
      [
        'subscribe to an unknown trust center',
        () =>
          inject({
            method: 'POST',
            url: '/t/nobody/subscribe',
            headers: { ...FORM, origin: ORIGIN },
            payload: 'email=a%40b.example&topics=all',
          }),
        [404],
      ],
      [
        'confirm with a made-up token',
        () =>
          inject({
            method: 'POST',
            url: '/t/subs/subscribe/confirm',
            headers: { ...FORM, origin: ORIGIN },
            payload: `token=${'Z'.repeat(43)}`,
          }),
        [404],
      ],
      [
        'confirm with a huge token',
        () =>
          inject({
            method: 'POST',
            url: '/t/subs/subscribe/confirm',
            headers: { ...FORM, origin: ORIGIN },
            payload: `token=${long}`,
          }),
        [413, 400],
      ],
      [
        'confirm from another site',
        () =>
          inject({
            method: 'POST',
            url: '/t/subs/subscribe/confirm',
            headers: { ...FORM, origin: 'https://evil.example' },
            payload: `token=${'Z'.repeat(43)}`,
          }),
        [403],
      ],
      ['confirm page without a token', () => inject({ url: '/t/subs/subscribe/confirm' }), [400]],
      [
        'unsubscribe with a malformed id',
        () =>
          inject({
            method: 'POST',
            url: `/t/subs/unsubscribe?id=../../x&token=${'A'.repeat(43)}`,
            headers: FORM,
            payload: 'List-Unsubscribe=One-Click',
          }),
        [404],
      ],
      [
        'unsubscribe without a token',
        () =>
          inject({
            method: 'POST',
            url: '/t/subs/unsubscribe?id=00000000-0000-4000-8000-000000000000',
            headers: FORM,
            payload: '',
          }),
        [400],
      ],
      [
        'unsubscribe with a forged token',
        () =>
          inject({
            method: 'POST',
            url: `/t/subs/unsubscribe?id=00000000-0000-4000-8000-000000000000&token=${'A'.repeat(43)}`,
            headers: FORM,
            payload: 'List-Unsubscribe=One-Click',
          }),
        [404],
      ],
    ];
    const failures: string[] = [];
    for (const [label, send, statuses] of cases) {
      const response = await send();
      if (!statuses.includes(response.statusCode)) failures.push(`${label}: ${response.statusCode}`);
      if (response.body.includes('<script>')) failures.push(`${label}: echoes markup`);
    }
    expect(failures).toEqual([]);
    expect(await deliverSince(start)).toEqual([]);
    expect(await countRows()).toEqual(before);
  });

  it('rate-limits the subscribe form per client network', async () => {
    time.advance(time.hours(2));
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt += 1) {
      statuses.push((await subscribe(`email=flood${attempt}%40victims.example&topics=all`)).statusCode);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(303));
    expect(statuses[10]).toBe(429);
    time.advance(time.hours(1) + time.minutes(1));
    expect((await subscribe('email=later%40victims.example&topics=all')).statusCode).toBe(303);
  });

  it('deletes subscriptions that were never confirmed after 7 days', async () => {
    const pending = async () =>
      (await subscribers()).items.filter((item) => item.status === 'pending').length;
    expect(await pending()).toBeGreaterThan(0);
    const scheduler = createScheduler({
      db: holder.app.db,
      services: holder.app.services,
      limiter: createFormRateLimiter({ db: holder.app.db, clock: time.clock }),
      dispatch: () => {},
      clock: time.clock,
      logger: createLogger('silent'),
    });
    time.advance(time.hours(24 * 6));
    await scheduler.tick();
    expect(await pending()).toBeGreaterThan(0);
    time.advance(time.hours(24 * 2));
    expect((await scheduler.tick()).purged).toBeGreaterThan(0);
    expect(await pending()).toBe(0);
  });
});
