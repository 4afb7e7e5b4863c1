import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/support/app.js';
import { manualClock } from '../../../test/support/clock.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { systemContext } from '../../platform/auth/context.js';
import { builtInRoles } from '../../platform/auth/roles.js';
import { markdownShapeProblem } from './markdown-limits.js';
import { timeToNotify } from './time-to-notify.js';
import { renderUpdateBody } from './update-body.js';

const HOSTILE_TITLE = `Title <script>alert(1)</script> & "quotes" ]]> \u2028 <![CDATA[ x ]]> end`;
const HOSTILE_BODY = [
  '<script>alert("body")</script> <img src=x onerror=alert(2)> <iframe src="https://evil.example"></iframe>',
  '[click](javascript:alert(3)) [ok](https://example.com/path?a=1&b=2) <a href="https://evil.example" onclick="x()">raw</a>',
  '# Heading',
  '**bold** and `code </textarea>`',
].join('\n\n');

describe('post bodies', () => {
  it('render Markdown, never pass raw HTML or script links, and mark links nofollow', () => {
    const html = renderUpdateBody(HOSTILE_BODY);
    expect(html).not.toMatch(
      /<script|<img|<iframe|<[^>]*\son\w+=|href="javascript:|<a href="https:\/\/evil/i,
    );
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain(
      '<a href="https://example.com/path?a=1&amp;b=2" rel="nofollow noopener noreferrer">ok</a>',
    );
    expect(html).toContain('<h3>Heading</h3>');
    expect(html).toContain('<strong>bold</strong>');
  });
});

/** Bodies short enough to pass the length limit whose shape makes a Markdown renderer work hard. */
const COSTLY_BODIES = {
  'a 1,000-column table over 2,000 rows': `|${'a|'.repeat(1_000)}\n|${'-|'.repeat(1_000)}\n${'x\n'.repeat(2_000)}`,
  '20,000 nested quotes': '>'.repeat(20_000),
  'quotes and lists nested 5,000 deep': '> - '.repeat(5_000),
  'ordered lists nested 6,000 deep': '1. '.repeat(6_000),
  'a 1,000-column table inside a quote': `> ${'a|'.repeat(1_000)}\n> ${'-|'.repeat(1_000)}\n${'> x\n'.repeat(4_000)}`,
  '13,000 emphasis marks in one paragraph': 'a_*'.repeat(6_666),
  'a 9,000-character link reference used 3,500 times': `[a]: https://e.example/${'x'.repeat(9_000)}\n\n${'[a]'.repeat(3_500)}`,
};

describe('costly Markdown', () => {
  it.each(Object.entries(COSTLY_BODIES))('%s is shown as text at once, never rendered', (_name, body) => {
    const started = performance.now();
    const html = renderUpdateBody(body);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(html.length).toBeLessThan(body.length * 5 + 16); // escaped text, not 20 MB of cells
    expect(html.startsWith('<p>')).toBe(true);
    expect(markdownShapeProblem(body)).not.toBeNull();
  });

  it('leaves ordinary tables, quotes, lists and rules alone', () => {
    const body = [
      '| Region | Provider |',
      '|---|:-:|',
      '| EU | Example Cloud |',
      '',
      '> A quote',
      '> - with a list',
      '',
      '1. One',
      '2. Two',
      '   - nested',
      '',
      '- - - - - - - - - - - - - - - - - - - -',
    ].join('\n');
    expect(markdownShapeProblem(body)).toBeNull();
    const html = renderUpdateBody(body);
    expect(html).toContain('<td align="center">Example Cloud</td>');
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<hr />');
  });
});

describe('time to notify', () => {
  const detected = new Date('2026-11-26T00:00:00Z');
  const at = (hours: number) => new Date(detected.getTime() + hours * 3_600_000);
  it('is on track, then warns after 18 hours, then is overdue after 24; met or missed once notified', () => {
    expect(timeToNotify(detected, null, at(17)).state).toBe('on_track');
    expect(timeToNotify(detected, null, at(19))).toMatchObject({ state: 'warning', minutes: 19 * 60 });
    expect(timeToNotify(detected, null, at(25)).state).toBe('overdue');
    expect(timeToNotify(detected, at(23), at(40))).toMatchObject({ state: 'met', minutes: 23 * 60 });
    expect(timeToNotify(detected, at(26), at(40)).state).toBe('missed');
  });
});

describe.each(testDatabaseKinds)('updates feed on $name', (kind) => {
  const time = manualClock();
  const holder = useTestApp(kind, { clock: time.clock });
  let tenantId = '';
  const ctx = () => systemContext(tenantId, 'updates-test');
  const get = (url: string, host?: string) =>
    holder.app.server.inject({ url, ...(host ? { headers: { host } } : {}) });

  beforeAll(async () => {
    const { services } = holder.app;
    tenantId = (
      await services.tenants.create({
        slug: 'feeds',
        name: 'Feeds Tenant',
        customDomain: 'trust.feeds.example',
      })
    ).id;
    await services.transfer.importDraft(systemContext(tenantId), sampleDocument('Feeds'), { publish: true });
  });

  it('keeps drafts out of every public output', async () => {
    await holder.app.services.posts.create(ctx(), {
      kind: 'policy',
      title: 'DRAFT POST TITLE',
      body: 'secret draft',
    });
    for (const url of [
      '/t/feeds/updates',
      '/t/feeds/updates.md',
      '/t/feeds/updates.rss',
      '/t/feeds/updates.atom',
      '/t/feeds/updates.json',
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).not.toContain('DRAFT POST');
    }
  });

  it('publishes a post to HTML, RSS, Atom and JSON Feed, escaped and with the right content types', async () => {
    const post = await holder.app.services.posts.create(ctx(), {
      kind: 'advisory',
      title: HOSTILE_TITLE,
      body: HOSTILE_BODY,
    });
    await holder.app.services.posts.publish(ctx(), post.id);

    const page = await get('/t/feeds/updates');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain(`id="update-${post.id}"`);
    expect(page.body).toContain('Title &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    // Hostile markup shows as text: no element, event handler or script URL reaches the page.
    expect(page.body).not.toMatch(/<script|<img|<iframe|<[^>]*\son\w+=|href="javascript:/i);

    const rss = await get('/t/feeds/updates.rss');
    expect(rss.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(rss.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<rss version="2.0"/);
    expect(rss.body).toContain(`<link>http://127.0.0.1:3000/t/feeds/updates#update-${post.id}</link>`);
    expect(rss.body).toContain(`<guid isPermaLink="false">urn:uuid:${post.id}</guid>`);
    const atom = await get('/t/feeds/updates.atom');
    expect(atom.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(atom.body).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
    for (const xml of [rss.body, atom.body]) {
      // Nothing from the post opens a tag or section of its own: every < of its text is escaped.
      expect(xml).not.toMatch(/<script|<img|<iframe|<!\[CDATA\[|\]\]>/);
      expect(xml).toContain('Title &#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34;');
      expect(xml).toContain('&#60;strong&#62;bold&#60;/strong&#62;');
    }
    const json = await get('/t/feeds/updates.json');
    expect(json.headers['content-type']).toBe('application/feed+json; charset=utf-8');
    const feed = json.json();
    expect(feed).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      feed_url: 'http://127.0.0.1:3000/t/feeds/updates.json',
      items: [{ id: `urn:uuid:${post.id}`, title: HOSTILE_TITLE, tags: ['advisory'] }],
    });
    expect(feed.items[0].content_html).not.toMatch(/<script|<img|<iframe|<[^>]*\son\w+=|href="javascript:/i);

    // The same feeds at the root of the tenant's custom domain, with its own absolute links.
    const domainRss = await get('/updates.rss', 'trust.feeds.example');
    expect(domainRss.statusCode).toBe(200);
    expect(domainRss.body).toContain(`<link>https://trust.feeds.example/updates#update-${post.id}</link>`);
    expect((await get('/updates', 'trust.feeds.example')).body).toContain(`id="update-${post.id}"`);
    expect((await get('/t/feeds/updates.rss', 'trust.feeds.example')).statusCode).toBe(404);

    // Deleting a published post takes it out of the feed at once.
    await holder.app.services.posts.remove(ctx(), post.id);
    expect((await get('/t/feeds/updates.json')).json().items).toEqual([]);
  });

  it('previews a body exactly as the public page renders it, saves nothing, and refuses bad input', async () => {
    const bearer = async (role: keyof typeof builtInRoles) =>
      `Bearer ${await holder.app.tokens.mint({
        subject: '00000000-0000-4000-8000-0000000000aa',
        tenantId,
        permissions: [...builtInRoles[role].permissions],
      })}`;
    const preview = async (payload: unknown, role: keyof typeof builtInRoles = 'editor') =>
      holder.app.server.inject({
        method: 'POST',
        url: '/api/v1/updates/preview',
        headers: { authorization: await bearer(role) },
        payload: payload as object,
      });
    const before = await holder.app.services.posts.list(ctx());

    const shown = await preview({ body: HOSTILE_BODY });
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.headers['cache-control']).toBe('no-store');
    const { html } = shown.json() as { html: string };
    expect(html).toBe(renderUpdateBody(HOSTILE_BODY));
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<h3>Heading</h3>');
    expect(html).not.toMatch(/<script|<img|<iframe|<[^>]*\son\w+=|href="javascript:/i);
    expect((await preview({ body: '' })).json()).toEqual({ html: '' });

    for (const hostile of [
      { body: 'x'.repeat(20_001) },
      { body: 'bell \u0007 in the text' },
      ...Object.values(COSTLY_BODIES).map((body) => ({ body })),
      { body: 42 },
      {},
      [],
    ]) {
      const refused = await preview(hostile);
      expect(refused.statusCode, JSON.stringify(hostile).slice(0, 40)).toBe(400);
    }
    expect((await preview({ body: 'Hello' }, 'viewer')).statusCode).toBe(403);
    // Such a body cannot be saved either, so it never reaches the public page or the feeds.
    const saved = await holder.app.server.inject({
      method: 'POST',
      url: '/api/v1/updates',
      headers: { authorization: await bearer('editor') },
      payload: {
        kind: 'general',
        title: 'Wide',
        body: COSTLY_BODIES['a 1,000-column table over 2,000 rows'],
      },
    });
    expect(saved.statusCode).toBe(400);
    expect(saved.body).toContain('has tables with more than 5,000 cells');
    expect(await holder.app.services.posts.list(ctx())).toEqual(before);
  });

  it('links an incident post to its incident; publishing it does not itself record a notification', async () => {
    const detectedAt = new Date(time.clock().getTime() - 19 * 3_600_000).toISOString();
    const incident = await holder.app.services.incidents.create(ctx(), { title: 'Login outage', detectedAt });
    expect(incident.timeToNotify).toMatchObject({ state: 'warning', targetHours: 24 });
    const post = await holder.app.services.posts.create(ctx(), {
      kind: 'incident',
      title: 'Login outage',
      body: 'Resolved.',
      incidentId: incident.id,
    });
    await holder.app.services.posts.publish(ctx(), post.id);
    // The time is recorded once the notice has gone out (incident-evidence.test.ts runs the fan-out).
    const published = await holder.app.services.incidents.get(ctx(), incident.id);
    expect(published.customersNotifiedAt).toBeNull();
    await expect(
      holder.app.services.incidents.update(ctx(), incident.id, {
        resolvedAt: new Date(Date.parse(detectedAt) - 60_000).toISOString(),
      }),
    ).rejects.toThrow('before the incident was detected');
  });

  it('serves security.txt (RFC 9116) from the security contact, on the slug and the custom domain', async () => {
    const response = await get('/t/feeds/.well-known/security.txt');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    const lines = response.body.split('\n');
    expect(lines).toContain('Contact: mailto:security@feeds.example');
    expect(lines).toContain('Canonical: http://127.0.0.1:3000/t/feeds/.well-known/security.txt');
    expect(lines).toContain('Preferred-Languages: en');
    const expires = Date.parse(lines.find((line) => line.startsWith('Expires: '))?.slice(9) ?? '');
    expect(expires).toBeGreaterThan(time.clock().getTime());
    expect(expires).toBeLessThan(time.clock().getTime() + 365 * 86_400_000);

    const domain = await get('/.well-known/security.txt', 'trust.feeds.example');
    expect(domain.statusCode).toBe(200);
    expect(domain.body).toContain('Canonical: https://trust.feeds.example/.well-known/security.txt');
    expect((await get('/t/nobody/.well-known/security.txt')).statusCode).toBe(404);
    expect((await get('/.well-known/security.txt')).statusCode).toBe(404);
  });
});
