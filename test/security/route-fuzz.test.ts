import type { RouteOptions } from 'fastify';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { systemContext } from '../../src/platform/auth/context.js';
import { builtInRoles } from '../../src/platform/auth/roles.js';
import { SESSION_COOKIE } from '../../src/platform/http/session-cookie.js';
import { useTestApp } from '../support/app.js';
import { testDatabaseKinds } from '../support/databases.js';
import { sampleDocument } from '../support/fixtures.js';

/*
 * Every route the app registers (API, BFF, console, public site), collected as Fastify registers
 * them, gets hostile variants of its request: broken, deep and huge JSON, wrong or missing content
 * types, multipart bodies without a usable boundary, bad percent-encoding in the path and the
 * query, unknown methods. Whatever a route does with them, the answer is never a 500, an error is
 * always our error body, and nothing of the request comes back in it.
 *
 * PGlite only: what is under test is the HTTP layer (router, parsers, error mapping), which is
 * the same code on both databases; PostgreSQL would double the time and find nothing new.
 */

const registered = vi.hoisted(() => [] as { method: string; url: string }[]);
vi.mock('../../src/platform/http/server.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/platform/http/server.js')>();
  return {
    ...actual,
    // The app's own server factory, with a hook that records each route as it is added.
    createHttpServer: async (options: Parameters<typeof actual.createHttpServer>[0]) => {
      const server = await actual.createHttpServer(options);
      server.addHook('onRoute', (route: RouteOptions) => {
        for (const method of [route.method].flat()) registered.push({ method, url: route.url });
      });
      return server;
    },
  };
});

const ORIGIN = 'http://127.0.0.1:3000';
const PASSWORD = 'a long and unusual passphrase 3318';
/** In every hostile value: an error body must never contain it. */
const MARK = 'Zq7echo';
const BAD_ENCODING = `%E0%A4%A${MARK}`;
const huge = `${MARK}${'x'.repeat(200_000)}`;
const bodyMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'QUERY']);

interface Variant {
  label: string;
  headers?: Record<string, string>;
  payload?: string;
}

const bodyVariants: Variant[] = [
  { label: 'broken JSON', headers: { 'content-type': 'application/json' }, payload: `{"title": "${MARK}` },
  {
    label: 'JSON arrays 5,000 deep',
    headers: { 'content-type': 'application/json' },
    payload: `${'['.repeat(5000)}"${MARK}"${']'.repeat(5000)}`,
  },
  {
    label: 'JSON objects 5,000 deep',
    headers: { 'content-type': 'application/json' },
    payload: `${'{"a":'.repeat(5000)}"${MARK}"${'}'.repeat(5000)}`,
  },
  {
    label: 'huge strings',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({
      title: huge,
      name: huge,
      email: huge,
      password: huge,
      code: huge,
      question: huge,
    }),
  },
  {
    label: 'JSON of the wrong shape',
    headers: { 'content-type': 'application/json' },
    payload: `[1, {"$ne": "${MARK}"}, null]`,
  },
  {
    label: 'multipart without a boundary',
    headers: { 'content-type': 'multipart/form-data' },
    payload: `--x\r\n${MARK}`,
  },
  {
    label: 'multipart cut short',
    headers: { 'content-type': 'multipart/form-data; boundary=zz' },
    payload: `--zz\r\nContent-Disposition: form-data; name="${MARK}"\r\n\r\n${MARK}`,
  },
  {
    label: 'multipart with an empty boundary',
    headers: { 'content-type': 'multipart/form-data; boundary=' },
    payload: MARK,
  },
  { label: 'XML', headers: { 'content-type': 'text/xml' }, payload: `<x>${MARK}</x>` },
  { label: 'a garbled content type', headers: { 'content-type': `;;${MARK}/;=` }, payload: MARK },
  { label: 'no content type', payload: `{"title": "${MARK}"}` },
  {
    label: 'a form with bad escapes',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `email=${BAD_ENCODING}&name=%3Cscript%3E${MARK}&a=%ZZ&__proto__[x]=${MARK}`,
  },
];

/** A value for each path parameter that names something plausible (or nothing) in the tenant. */
function fill(url: string, slug: string): string {
  return url
    .replace(/:version/g, '1')
    .replace(/:key/g, 'some-role')
    .replace(/:slug/g, slug)
    .replace(/:token/g, 'x'.repeat(43))
    .replace(/:page/g, 'security')
    .replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000001');
}

describe('hostile variants of every registered route on pglite', () => {
  const holder = useTestApp(testDatabaseKinds[0] as (typeof testDatabaseKinds)[number], {
    apiRequestsPerMinute: 0,
  });
  let token = '';
  let cookie = '';

  async function signIn() {
    const response = await holder.app.server.inject({
      method: 'POST',
      url: '/bff/login',
      headers: { origin: ORIGIN },
      payload: { email: 'owner@fuzz.example', password: PASSWORD, tenant: 'fuzz' },
    });
    expect(response.statusCode).toBe(200);
    cookie = `${SESSION_COOKIE}=${String(response.headers['set-cookie']).split(';')[0]?.split('=')[1]}`;
  }

  beforeAll(async () => {
    const { services, tokens } = holder.app;
    const tenant = await services.tenants.create({ slug: 'fuzz', name: 'Fuzz' });
    const ctx = systemContext(tenant.id);
    await services.transfer.importDraft(ctx, sampleDocument('FUZZ'), { publish: true });
    const owner = await services.members.add(ctx, {
      email: 'owner@fuzz.example',
      role: 'owner',
      password: PASSWORD,
    });
    token = await tokens.mint({
      subject: owner.userId,
      tenantId: tenant.id,
      permissions: [...builtInRoles.owner.permissions],
    });
    await signIn();
  });

  /** Who the route is for: the API takes the token, the BFF the session (and its Origin). */
  function credentials(url: string): Record<string, string> {
    if (url.startsWith('/api/')) return { authorization: `Bearer ${token}` };
    if (url.startsWith('/bff/')) return { origin: ORIGIN, cookie };
    return { origin: ORIGIN };
  }

  function check(
    label: string,
    response: { statusCode: number; body: string; headers: Record<string, unknown> },
  ) {
    const admin = label.includes(' /admin');
    // The console's index is 503 by design when the console is not built (a checkout without `npm run build`).
    if (!(admin && response.statusCode === 503 && response.body.includes('not built'))) {
      expect(response.statusCode, `${label}: ${response.body.slice(0, 300)}`).toBeLessThan(500);
    }
    if (response.statusCode < 400) return;
    const type = String(response.headers['content-type'] ?? '');
    // A public form shown again keeps what the visitor typed, escaped; an error body holds none of it.
    if (type.startsWith('text/html')) expect(response.body, label).not.toContain(`<script>${MARK}`);
    else expect(response.body, label).not.toContain(MARK);
    if (type.startsWith('application/json')) {
      const parsed = JSON.parse(response.body);
      expect(parsed, `${label}: ${response.body.slice(0, 300)}`).toMatchObject({
        error: { code: expect.any(String), message: expect.any(String) },
      });
      expect(Object.keys(parsed), label).toEqual(['error']);
    } else {
      // Otherwise one of our own pages (the public site answers people in HTML).
      expect(type, `${label}: ${response.body.slice(0, 300)}`).toMatch(/^text\/html; charset=utf-8/);
    }
  }

  it('never answers 500, always with our error body, and never echoes the request', {
    timeout: 120_000,
  }, async () => {
    const { server } = holder.app;
    const routes = registered.filter((route) => route.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(150);
    for (const prefix of ['/api/v1/', '/bff/', '/admin', '/t/:slug']) {
      expect(
        routes.some((route) => route.url.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    let requests = 0;
    const started = Date.now();
    for (const route of routes) {
      // The BFF's forward stands for every API route; two of them (JSON and an upload) are enough here.
      const urls =
        route.url === '/bff/api/*'
          ? ['/bff/api/controls', '/bff/api/documents']
          : [fill(route.url.replace('*', 'x'), 'fuzz')];
      for (const url of urls) {
        const label = `${route.method} ${url}`;
        const send = async (variant: Variant & { method?: string; url?: string }) => {
          requests += 1;
          const response = await server.inject({
            method: (variant.method ?? route.method) as 'GET',
            url: variant.url ?? url,
            headers: { ...credentials(url), ...variant.headers },
            ...(variant.payload !== undefined ? { payload: variant.payload } : {}),
          });
          check(`${label} with ${variant.label}`, response);
        };
        if (bodyMethods.has(route.method)) for (const variant of bodyVariants) await send(variant);
        const withParamsBroken = route.url.includes(':')
          ? fill(route.url.replace(/:[a-zA-Z]+/g, BAD_ENCODING), 'fuzz')
          : `${url}/${BAD_ENCODING}`;
        await send({ label: 'bad percent-encoding in the path', url: withParamsBroken });
        await send({
          label: 'bad percent-encoding in the query',
          url: `${url}?q=${BAD_ENCODING}&limit=%ZZ&${MARK}[]=1&__proto__[a]=1`,
        });
        await send({
          label: 'an over-long path parameter',
          url: route.url.includes(':')
            ? fill(route.url.replace(/:[a-zA-Z]+/, `${MARK}${'a'.repeat(300)}`), 'fuzz')
            : `${url}?${'a'.repeat(5000)}=${MARK}`,
        });
        await send({ label: 'an unknown method', method: 'PROPFIND' });
      }
      // Sign-out and revoke-all end the session the rest of the run uses: sign in again.
      if (route.url.startsWith('/bff/')) {
        const me = await server.inject({
          method: 'GET',
          url: '/bff/me',
          headers: { origin: ORIGIN, cookie },
        });
        if (me.statusCode === 401) await signIn();
      }
    }
    expect(requests).toBeGreaterThan(1000);
    // Bounded: a few variants per route, so the file stays quick.
    expect(Date.now() - started).toBeLessThan(90_000);
  });
});
