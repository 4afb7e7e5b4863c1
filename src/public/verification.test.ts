import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/app.js';
import { manualClock } from '../../test/support/clock.js';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { publishedTenant } from '../../test/support/documents-app.js';
import { type MailSink, startMailSink } from '../../test/support/mail-sink.js';
import { evidenceResults } from '../modules/evidence/evidence.schema.js';
import { builtInRoles } from '../platform/auth/roles.js';
import { withTenant } from '../platform/db/tenancy.js';

const PASSWORD = 'a long unique passphrase 8271';

/** A real request over a socket: inject() would bypass the fast path that serves cached pages. */
function socketGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () =>
        resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** The HTML of one control on the security page. */
function controlHtml(page: string, key: string): string {
  const start = page.indexOf(`<li class="control" id="control-${key}">`);
  if (start < 0) throw new Error(`no control ${key} on the page`);
  return page.slice(start, page.indexOf('</li>', start));
}

function controlMarkdown(page: string, title: string): string {
  const start = page.indexOf(`#### ${title}`);
  if (start < 0) throw new Error(`no control ${title} in the Markdown`);
  const end = page.indexOf('####', start + 5);
  return page.slice(start, end < 0 ? undefined : end);
}

interface ControlJson {
  key: string;
  status: string;
  verification?: { status: string; failingSince: string | null; failingChecks: { check: string }[] };
}

describe.each(testDatabaseKinds)("a control's public status follows its live evidence on $name", (kind) => {
  let sink: MailSink;
  const time = manualClock(new Date(Date.now() - 3_600_000));
  // Pages stay in memory for a minute: only the invalidation on a transition can show it at once.
  const holder = useTestApp(kind, {
    publicCacheMs: 60_000,
    clock: time.clock,
    smtpUrl: async () => {
      sink = await startMailSink();
      return sink.url;
    },
  });
  let tenant: Awaited<ReturnType<typeof publishedTenant>>;
  let port = 0;
  let controlId = '';
  const app = () => holder.app;

  const api = async (method: 'GET' | 'PUT' | 'PATCH' | 'POST', url: string, payload?: unknown) => {
    const response = await app().server.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: await tenant.freshAuthorization() },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json();
  };
  const setIdleMinutes = async (minutes: number) => {
    const settings = await api('GET', '/settings');
    await api('PUT', '/settings', { ...settings, sessionIdleMinutes: minutes });
  };
  /** What the worker does every 15 minutes. */
  const workerRun = async () => {
    time.advance(60_000);
    await app().services.evidence.runForTenant(tenant.tenant.id);
  };
  const stored = async () => {
    const [row] = await withTenant(app().db, tenant.tenant.id, (tx) =>
      tx.select().from(evidenceResults).where(eq(evidenceResults.checkKey, 'session-limits')),
    );
    return row;
  };
  /** Every public format, through the socket (the fast path when the page is in memory). */
  const formats = async () => {
    const [html, json, markdown, rss, atom, feed] = await Promise.all(
      [
        '/t/acme/security',
        '/t/acme/security.json',
        '/t/acme/security.md',
        '/t/acme/updates.rss',
        '/t/acme/updates.atom',
        '/t/acme/updates.json',
      ].map((path) => socketGet(port, path)),
    );
    for (const answer of [html, json, markdown, rss, atom, feed]) expect(answer?.status).toBe(200);
    const security = JSON.parse(json?.body ?? '{}') as {
      verificationFailing: number;
      categories: { controls: ControlJson[] }[];
    };
    return {
      html: controlHtml(html?.body ?? '', 'tls'),
      page: html?.body ?? '',
      json: security.categories
        .flatMap((category) => category.controls)
        .find((control) => control.key === 'tls'),
      failingCount: security.verificationFailing,
      summary: (html?.body ?? '').match(/<ul class="status-summary"[\s\S]*?<\/ul>/)?.[0] ?? '',
      markdownSummary: (markdown?.body ?? '').split('\n\n')[2] ?? '',
      markdown: controlMarkdown(markdown?.body ?? '', 'ACME TLS everywhere'),
      rss: rss?.body ?? '',
      atom: atom?.body ?? '',
      feed: JSON.parse(feed?.body ?? '{}') as {
        items: { id: string; title: string; date_published: string }[];
      },
    };
  };
  const expectFailing = async (since: Date) => {
    const iso = since.toISOString();
    const label = `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
    const shown = await formats();
    expect(shown.html).toContain(
      `<span class="badge badge-failing"><span class="visually-hidden">Status: </span>Verification failing</span> since <time datetime="${iso}">${label}</time>`,
    );
    expect(shown.html).not.toContain('badge-implemented');
    expect(shown.html).toContain('Published as Implemented; the live evidence does not hold');
    expect(shown.html).toContain('href="/t/acme/evidence#session-limits"');
    expect(shown.json).toMatchObject({
      status: 'implemented',
      verification: { status: 'failing', failingSince: iso, failingChecks: [{ check: 'session-limits' }] },
    });
    expect(shown.failingCount).toBe(1);
    // The summary counts it as failing verification, not among the implemented (it was the only one).
    expect(shown.summary).toContain('Verification failing</span> <span class="status-count">1</span>');
    expect(shown.summary).not.toContain('Implemented');
    expect(shown.markdownSummary).toBe('In progress: 1 · Verification failing: 1');
    expect(shown.markdown).toContain(
      `**Status:** Verification failing since ${label} (published as Implemented`,
    );
    const entry = `urn:attest:verification-failing:tls:${since.getTime()}`;
    expect(shown.rss).toContain(`<guid isPermaLink="false">${entry}</guid>`);
    expect(shown.rss).toContain('<title>Verification failing: ACME TLS everywhere</title>');
    expect(shown.atom).toContain(`<id>${entry}</id>`);
    expect(shown.atom).toContain(`<published>${iso}</published>`);
    expect(shown.feed.items[0]).toMatchObject({
      id: entry,
      title: 'Verification failing: ACME TLS everywhere',
      date_published: iso,
    });
    // The other control, not backed by the check, shows what was published.
    expect(controlHtml(shown.page, 'backups')).toContain('In progress');
    for (const text of [shown.page, shown.rss, shown.atom, JSON.stringify(shown.feed)])
      expect(text).not.toMatch(/[A-Za-z0-9._%+-]+@acme\.example/);
  };
  const expectPublishedStatus = async (label: string) => {
    const shown = await formats();
    expect(shown.html).toContain(`<span class="visually-hidden">Status: </span>${label}</span>`);
    expect(shown.html).not.toContain('Verification failing');
    expect(shown.json?.verification).toEqual({ status: 'holding', failingSince: null, failingChecks: [] });
    expect(shown.failingCount).toBe(0);
    expect(shown.summary).not.toContain('Verification failing');
    expect(shown.markdownSummary).not.toContain('Verification failing');
    expect(shown.markdown).toContain(`**Status:** ${label}`);
    expect(shown.markdown).not.toContain('Verification failing');
    for (const feed of [shown.rss, shown.atom, JSON.stringify(shown.feed)])
      expect(feed).not.toContain('verification-failing');
  };
  const mailsTo = () => [...sink.perRecipient().entries()].sort();

  beforeAll(async () => {
    tenant = await publishedTenant(app(), 'acme');
    for (const [email, role] of [
      ['admin@acme.example', 'admin'],
      ['editor@acme.example', 'editor'],
      ['viewer@acme.example', 'viewer'],
    ] as const)
      await app().services.members.add(tenant.system, { email, role, password: PASSWORD });
    const controls = (await api('GET', '/controls')) as { items: { id: string; key: string }[] };
    controlId = controls.items.find((control) => control.key === 'tls')?.id ?? '';
    await api('PATCH', `/controls/${controlId}`, { evidence: ['session-limits'] });
    await api('POST', '/publish');
    await app().evidenceSettled();
    await app().server.listen({ port: 0, host: '127.0.0.1' });
    port = (app().server.server.address() as AddressInfo).port;
  }, 60_000);
  afterAll(async () => sink?.close());

  it('a failing check turns its implemented control into "verification failing since" in every format, and back', async () => {
    await workerRun();
    await expectPublishedStatus('Implemented');

    await setIdleMinutes(600);
    await workerRun();
    const since = time.clock();
    expect((await stored())?.failingSince?.toISOString()).toBe(since.toISOString());
    await expectFailing(since);
    // Still failing later: the same episode, the same time shown.
    await workerRun();
    await expectFailing(since);

    await setIdleMinutes(30);
    await workerRun();
    await expectPublishedStatus('Implemented');
  });

  it('mails the staff who manage settings once when the check starts failing and once when it recovers', async () => {
    await expect.poll(mailsTo, { timeout: 10_000 }).toEqual([['admin@acme.example', 2]]);
    expect((await app().mailer.deliverDue()).sent).toBe(0);
    expect(mailsTo()).toEqual([['admin@acme.example', 2]]);
  });

  it('an editor who changes the claim shows that claim instead, while the check still fails', async () => {
    await setIdleMinutes(600);
    await workerRun();
    const since = time.clock();
    await expectFailing(since);
    await api('PATCH', `/controls/${controlId}`, { status: 'in_progress' });
    await api('POST', '/publish');
    await app().evidenceSettled();
    await expectPublishedStatus('In progress');
    expect((await stored())?.failingSince?.toISOString()).toBe(since.toISOString());
    // Claimed implemented again while the evidence still does not hold: failing, since the episode began.
    await api('PATCH', `/controls/${controlId}`, { status: 'implemented' });
    await api('POST', '/publish');
    await expectFailing(since);
    await setIdleMinutes(30);
    await workerRun();
    await expectPublishedStatus('Implemented');
  });

  it('no client can set a check result: hostile and unauthorised writes are refused and change nothing', async () => {
    await setIdleMinutes(600);
    await workerRun();
    const before = await stored();
    expect(before?.status).toBe('fail');
    const viewer = await app().tokens.mint({
      subject: tenant.tenant.id,
      tenantId: tenant.tenant.id,
      permissions: [...builtInRoles.viewer.permissions],
    });
    const forged = {
      check: 'session-limits',
      status: 'pass',
      summary: 'All good',
      failingSince: null,
      items: [{ check: 'session-limits', status: 'pass', failingSince: null }],
    };
    const owner = await tenant.freshAuthorization();
    const attempts: {
      method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      url: string;
      headers?: Record<string, string>;
    }[] = [
      // A visitor, without credentials.
      { method: 'POST', url: '/api/v1/evidence/run' },
      { method: 'PUT', url: '/api/v1/evidence' },
      { method: 'POST', url: '/t/acme/evidence' },
      { method: 'POST', url: '/t/acme/evidence.json' },
      { method: 'PUT', url: '/t/acme/security.json' },
      { method: 'POST', url: '/bff/api/evidence/run' },
      // A viewer may read the results, never run or write them.
      { method: 'POST', url: '/api/v1/evidence/run', headers: { authorization: `Bearer ${viewer}` } },
      { method: 'PUT', url: '/api/v1/evidence', headers: { authorization: `Bearer ${viewer}` } },
      // Not even an owner can write a result: there is no such route.
      { method: 'POST', url: '/api/v1/evidence', headers: { authorization: owner } },
      { method: 'PUT', url: '/api/v1/evidence', headers: { authorization: owner } },
      { method: 'PATCH', url: '/api/v1/evidence/session-limits', headers: { authorization: owner } },
      { method: 'PUT', url: '/api/v1/evidence/session-limits', headers: { authorization: owner } },
      { method: 'DELETE', url: '/api/v1/evidence/session-limits', headers: { authorization: owner } },
    ];
    for (const attempt of attempts) {
      const response = await app().server.inject({ ...attempt, payload: forged });
      expect(response.statusCode, `${attempt.method} ${attempt.url}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, `${attempt.method} ${attempt.url}`).toBeLessThan(500);
    }
    // "Run now" with a forged body runs the real checks and records what they find.
    const ran = await app().server.inject({
      method: 'POST',
      url: '/api/v1/evidence/run',
      headers: { authorization: owner },
      payload: forged,
    });
    expect(ran.statusCode).toBeLessThan(500);
    const after = await stored();
    expect(after?.status).toBe('fail');
    expect(after?.failingSince?.toISOString()).toBe(before?.failingSince?.toISOString());
    expect(after?.summary).toBe(before?.summary);
    await expectFailing(before?.failingSince ?? new Date(0));
    await setIdleMinutes(30);
  });
});
