import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../test/support/clock.js';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { publishedTenant } from '../../test/support/documents-app.js';
import { type App, createApp } from '../app.js';
import { hostCheckView } from '../modules/host-checks/host-checks.contract.js';
import { hostChecks } from '../modules/host-checks/host-checks.schema.js';
import { Sealer } from '../platform/crypto/sealing.js';
import { withTenant } from '../platform/db/tenancy.js';
import { createNetGuard } from '../platform/net/safe-connect.js';

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

function controlHtml(page: string, key: string): string {
  const start = page.indexOf(`<li class="control" id="control-${key}">`);
  if (start < 0) throw new Error(`no control ${key} on the page`);
  // Up to the next control or the end of the category: the control holds lists of its own.
  const next = page.indexOf('<li class="control"', start + 1);
  return page.slice(start, next < 0 ? page.indexOf('</section>', start) : next);
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
  hostChecks?: { name: string; kind: string; status: string; failingSince: string | null }[];
  verification?: {
    status: string;
    failingSince: string | null;
    failingChecks: unknown[];
    failingHostChecks?: { name: string; kind: string; failingSince: string }[];
  };
}

/** The tenant's host, private: an address of its own on loopback, so nothing else on a page names it. */
const PROBED_HOST = '127.0.0.42';
const REFUSED_HOST = '10.1.2.3';

const label = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

describe.each(testDatabaseKinds)("a tenant's host checks back its published controls on $name", (kind) => {
  const time = manualClock(new Date(Date.now() - 3_600_000));
  let app: App;
  let probed: Server;
  let probedPort = 0;
  let port = 0;
  /** What the tenant's portal answers. */
  let answer = 200;
  let acme: Awaited<ReturnType<typeof publishedTenant>>;
  let other: Awaited<ReturnType<typeof publishedTenant>>;

  const createCheck = async (authorization: string, name: string, target: string) => {
    const response = await app.server.inject({
      method: 'POST',
      url: '/api/v1/host-checks',
      headers: { authorization },
      payload: {
        kind: 'http-uptime',
        name,
        target,
        controls: ['tls', 'not-published'],
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    return hostCheckView.parse(response.json()).id;
  };
  /** The worker's run: every due check of every tenant, a minute on. */
  const workerRun = async () => {
    time.advance(60_000);
    const report = await app.services.hostChecks.runDue();
    expect(report.ran).toBe(2);
  };
  const formats = async (slug: string) => {
    const paths = ['security', 'security.json', 'security.md', 'updates.rss', 'updates.atom', 'updates.json'];
    const [html, json, markdown, rss, atom, feed] = await Promise.all(
      paths.map((path) => socketGet(port, `/t/${slug}/${path}`)),
    );
    const all = [html, json, markdown, rss, atom, feed];
    for (const answered of all) expect(answered?.status).toBe(200);
    const security = JSON.parse(json?.body ?? '{}') as {
      verificationFailing: number;
      categories: { controls: ControlJson[] }[];
    };
    const controls = security.categories.flatMap((category) => category.controls);
    return {
      bodies: all.map((answered) => answered?.body ?? ''),
      page: html?.body ?? '',
      html: controlHtml(html?.body ?? '', 'tls'),
      json: controls.find((control) => control.key === 'tls'),
      backups: controls.find((control) => control.key === 'backups'),
      failingCount: security.verificationFailing,
      markdown: controlMarkdown(markdown?.body ?? '', `${slug.toUpperCase()} TLS everywhere`),
      rss: rss?.body ?? '',
      atom: atom?.body ?? '',
      feed: feed?.body ?? '',
    };
  };
  /** No public output names the probed address: targets stay in the console. */
  const expectNoTarget = (bodies: readonly string[]) => {
    for (const body of bodies) {
      expect(body).not.toContain(PROBED_HOST);
      expect(body).not.toContain(`:${probedPort}`);
      expect(body).not.toContain('/health');
      expect(body).not.toContain(REFUSED_HOST);
      expect(body).not.toContain('/down');
    }
  };
  const failingSinceStored = async (tenantId: string, id: string) => {
    const [row] = await withTenant(app.db, tenantId, (tx) =>
      tx.select().from(hostChecks).where(eq(hostChecks.id, id)),
    );
    return row?.failingSince?.toISOString() ?? null;
  };

  beforeAll(async () => {
    probed = createServer((request, response) => {
      response.writeHead(request.url === '/health' ? answer : 404);
      response.end();
    });
    await new Promise<void>((resolve) => probed.listen(0, PROBED_HOST, resolve));
    probedPort = (probed.address() as AddressInfo).port;
    app = await createApp({
      db: await kind.create(),
      sealer: new Sealer(randomBytes(32)),
      clock: time.clock,
      // Every request checks the cache: the pages change only because the live state compared unequal.
      publicCacheMs: 0,
      // The operator allowed loopback (ATTEST_CHECK_ALLOW_PRIVATE=127.0.0.0/8).
      hostChecks: { guard: createNetGuard({ allowPrivate: '127.0.0.0/8' }) },
    });
    acme = await publishedTenant(app, 'acme');
    other = await publishedTenant(app, 'other');
    await app.server.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.server.address() as AddressInfo).port;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await new Promise<void>((resolve) => probed?.close(() => resolve()));
  });

  it('a failing host check turns its control into "verification failing since" in every format, and back', async () => {
    const id = await createCheck(
      acme.authorization,
      'Customer portal',
      `http://${PROBED_HOST}:${probedPort}/health`,
    );
    // The other tenant's check cannot run (a private address the operator did not allow): its
    // controls are unverified, and so failing, from its first run on.
    const otherId = await createCheck(other.authorization, 'Other portal', `http://${REFUSED_HOST}/down`);
    // Not run yet: listed beside the control, the control shows what was published.
    let shown = await formats('acme');
    expect(shown.html).toContain('Host check: HTTP uptime \u2014 Customer portal: Not run yet');
    expect(shown.html).not.toContain('Verification failing');

    await workerRun();
    shown = await formats('acme');
    expect(shown.html).toContain('<span class="visually-hidden">Status: </span>Implemented</span>');
    expect(shown.html).toContain('Host check: HTTP uptime \u2014 Customer portal: Passing');
    expect(shown.html).not.toContain('Verification failing');
    expect(shown.json).toMatchObject({
      status: 'implemented',
      hostChecks: [{ name: 'Customer portal', kind: 'http-uptime', status: 'pass', failingSince: null }],
      verification: { status: 'holding', failingSince: null, failingChecks: [], failingHostChecks: [] },
    });
    expect(shown.failingCount).toBe(0);
    expect(shown.markdown).toContain('**Status:** Implemented');
    expect(shown.markdown).toContain(
      '**Host checks:** Host check: HTTP uptime \u2014 Customer portal: Passing',
    );
    for (const feed of [shown.rss, shown.atom, shown.feed])
      expect(feed).not.toContain('verification-failing');
    // The control no check names keeps no host-check section.
    expect(shown.backups).not.toHaveProperty('hostChecks');
    expect(shown.backups).not.toHaveProperty('verification');
    // The other tenant's failing check shows on its own page only, and this tenant's never there.
    const theirs = await formats('other');
    expect(theirs.html).toContain('Verification failing');
    expect(theirs.html).toContain('Host check: HTTP uptime \u2014 Other portal: Could not run since');
    expect(theirs.json?.verification).toMatchObject({
      status: 'failing',
      failingHostChecks: [{ name: 'Other portal', kind: 'http-uptime' }],
    });
    expect(theirs.html).not.toContain('Customer portal');
    expect(shown.bodies.join('\n')).not.toContain('Other portal');
    expectNoTarget([...shown.bodies, ...theirs.bodies]);

    answer = 503;
    await workerRun();
    const since = time.clock().toISOString();
    expect(await failingSinceStored(acme.tenant.id, id)).toBe(since);
    const expectFailing = async () => {
      const now = await formats('acme');
      expect(now.html).toContain(
        `<span class="badge badge-failing"><span class="visually-hidden">Status: </span>Verification failing</span> since <time datetime="${since}">${label(since)}</time>`,
      );
      expect(now.html).not.toContain('badge-implemented');
      expect(now.html).toContain(
        'Published as Implemented; the live evidence does not hold: Host check: HTTP uptime \u2014 Customer portal.',
      );
      expect(now.html).toContain('Host check: HTTP uptime \u2014 Customer portal: Failing since');
      expect(now.json).toMatchObject({
        status: 'implemented',
        hostChecks: [{ name: 'Customer portal', kind: 'http-uptime', status: 'fail', failingSince: since }],
        verification: {
          status: 'failing',
          failingSince: since,
          failingChecks: [],
          failingHostChecks: [{ name: 'Customer portal', kind: 'http-uptime', failingSince: since }],
        },
      });
      expect(now.failingCount).toBe(1);
      expect(now.markdown).toContain(
        `**Status:** Verification failing since ${label(since)} (published as Implemented; failing: Host check: HTTP uptime \u2014 Customer portal)`,
      );
      const entry = `urn:attest:verification-failing:tls:${Date.parse(since)}`;
      expect(now.rss).toContain(`<guid isPermaLink="false">${entry}</guid>`);
      expect(now.rss).toContain('Host check: HTTP uptime \u2014 Customer portal');
      expect(now.atom).toContain(`<id>${entry}</id>`);
      expect(now.feed).toContain(entry);
      // The control the check does not name shows what was published.
      expect(controlHtml(now.page, 'backups')).toContain('In progress');
      expectNoTarget(now.bodies);
    };
    await expectFailing();
    // Still failing a run later: the same episode, the same time shown.
    await workerRun();
    expect(await failingSinceStored(acme.tenant.id, id)).toBe(since);
    await expectFailing();

    answer = 200;
    await workerRun();
    expect(await failingSinceStored(acme.tenant.id, id)).toBeNull();
    shown = await formats('acme');
    expect(shown.html).toContain('<span class="visually-hidden">Status: </span>Implemented</span>');
    expect(shown.html).not.toContain('Verification failing');
    expect(shown.json?.verification).toMatchObject({ status: 'holding', failingHostChecks: [] });
    expect(shown.markdown).not.toContain('Verification failing');
    for (const feed of [shown.rss, shown.atom, shown.feed])
      expect(feed).not.toContain('verification-failing');
    expectNoTarget(shown.bodies);
    // The other tenant's check failed all along; its start is its first run.
    expect(await failingSinceStored(other.tenant.id, otherId)).not.toBeNull();
  });
});
