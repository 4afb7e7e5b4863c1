import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/app.js';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { sampleDocument } from '../../test/support/fixtures.js';
import { systemContext } from '../platform/auth/context.js';
import { builtInRoles } from '../platform/auth/roles.js';
import { SESSION_COOKIE } from '../platform/http/session-cookie.js';
import { createCustomDomainLookup } from './custom-domain-gate.js';

const PLATFORM = '127.0.0.1:3000';
const ORIGIN = `http://${PLATFORM}`;
const DOMAIN = 'trust.gated.example';
const UNPUBLISHED_DOMAIN = 'trust.draft-only.example';
const PASSWORD = 'a long and unusual passphrase 9912';

describe.each(testDatabaseKinds)('platform routes on custom domains on $name', (kind) => {
  const holder = useTestApp(kind);
  let token = '';

  const send = (
    method: 'GET' | 'POST',
    url: string,
    host: string,
    options: { body?: object; cookie?: string; bearer?: string; origin?: string } = {},
  ) =>
    holder.app.server.inject({
      method,
      url,
      headers: {
        host,
        ...(options.origin ? { origin: options.origin } : {}),
        ...(options.cookie ? { cookie: `${SESSION_COOKIE}=${options.cookie}` } : {}),
        ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
      },
      ...(options.body ? { payload: options.body } : {}),
    });

  const signIn = (host: string, origin = `http://${host}`) =>
    send('POST', '/bff/login', host, {
      origin,
      body: { email: 'owner@gated.example', password: PASSWORD, tenant: 'gated' },
    });

  function sessionCookie(response: { headers: Record<string, unknown> }): string {
    const header = response.headers['set-cookie'];
    const line = (Array.isArray(header) ? header : [header]).find((value) =>
      String(value).startsWith(`${SESSION_COOKIE}=`),
    );
    return (
      String(line ?? '')
        .split(';')[0]
        ?.slice(SESSION_COOKIE.length + 1) ?? ''
    );
  }

  /** The public 404 page, and nothing that would start or touch a session. */
  function expectPublicNotFound(response: Awaited<ReturnType<typeof send>>, label: string) {
    expect(response.statusCode, label).toBe(404);
    expect(response.headers['content-type'], label).toBe('text/html; charset=utf-8');
    expect(response.body, label).toContain('Page not found');
    expect(response.headers['set-cookie'], label).toBeUndefined();
    expect(response.body, label).not.toContain('/admin/assets/');
  }

  beforeAll(async () => {
    const { services, tokens } = holder.app;
    const tenant = await services.tenants.create({ slug: 'gated', name: 'Gated', customDomain: DOMAIN });
    const ctx = systemContext(tenant.id);
    await services.transfer.importDraft(ctx, sampleDocument('GATED'), { publish: true });
    await services.members.add(ctx, { email: 'owner@gated.example', role: 'owner', password: PASSWORD });
    // A domain is a customer's from the moment it is set, published or not.
    await services.tenants.create({
      slug: 'draft-only',
      name: 'Draft only',
      customDomain: UNPUBLISHED_DOMAIN,
    });
    token = await tokens.mint({
      subject: '00000000-0000-4000-8000-00000000000b',
      tenantId: tenant.id,
      permissions: [...builtInRoles.owner.permissions],
    });
  });

  it('answers the console, the BFF and the API on a custom domain with the public 404 and no cookie', async () => {
    const cookie = sessionCookie(await signIn(PLATFORM, ORIGIN));
    expect(cookie).not.toBe('');
    // A trailing dot names the same host (browsers send it as typed), with or without a port.
    for (const host of [
      DOMAIN,
      'TRUST.Gated.example:443',
      `${DOMAIN}.`,
      `${DOMAIN}..:8443`,
      UNPUBLISHED_DOMAIN,
    ]) {
      for (const url of [
        '/admin',
        '/admin/',
        '/admin/sign-in',
        '/admin/assets/index.js',
        '/%61dmin/',
        '/bff/me',
        '/api/v1/controls',
        '/api/v1/openapi.json',
        '/api/v1/no-such-route',
        '/bff/no-such-route',
      ]) {
        expectPublicNotFound(await send('GET', url, host, { cookie, bearer: token }), `${host} ${url}`);
      }
      // Signing in there is refused before the password is even looked at.
      expectPublicNotFound(await signIn(host), `${host} POST /bff/login`);
      expectPublicNotFound(await signIn(host, ORIGIN), `${host} POST /bff/login, platform origin`);
    }
  });

  it('keeps the public pages and the health checks on the custom domain', async () => {
    const overview = await send('GET', '/', DOMAIN);
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('GATED');
    expect((await send('GET', '/security.json', DOMAIN)).statusCode).toBe(200);
    expect((await send('GET', '/healthz', DOMAIN)).statusCode).toBe(200);
    expect((await send('GET', '/readyz', DOMAIN)).statusCode).toBe(200);
  });

  it('serves the console, the BFF and the API as before on the platform host and other hosts', async () => {
    for (const host of [PLATFORM, 'localhost', 'attest.internal.example', '10.0.0.7:3000']) {
      const login = await signIn(host, ORIGIN);
      expect(login.statusCode, host).toBe(200);
      const cookie = sessionCookie(login);
      expect(cookie, host).not.toBe('');
      const me = await send('GET', '/bff/me', host, { cookie });
      expect(me.statusCode, host).toBe(200);
      expect(me.json().tenant.slug).toBe('gated');
      const controls = await send('GET', '/api/v1/controls', host, { bearer: token });
      expect(controls.statusCode, host).toBe(200);
      const console = await send('GET', '/admin/', host);
      expect([200, 503], host).toContain(console.statusCode);
      expect(console.headers['x-robots-tag'], host).toBe('noindex, nofollow');
      expect((await send('GET', '/api/v1/no-such-route', host)).json().error.code).toBe('route.not_found');
    }
  });

  it('follows a custom domain that is removed', async () => {
    await holder.app.services.tenants.setCustomDomain('draft-only', null);
    expect((await send('GET', '/bff/me', UNPUBLISHED_DOMAIN)).statusCode).toBe(401);
    await holder.app.services.tenants.setCustomDomain('draft-only', UNPUBLISHED_DOMAIN);
    expectPublicNotFound(await send('GET', '/bff/me', UNPUBLISHED_DOMAIN), 'set again');
  });

  it('answers hostile Host values on platform routes with 4xx, never 500', async () => {
    for (const host of [
      '',
      'a..b',
      '[::1]',
      '[::1]:3000',
      `${'x'.repeat(300)}.com`,
      `${'a.'.repeat(200)}example`,
      "'; drop table tenants;--",
      'localhost:99999',
      'trust.gated.example.',
      'trust.gated.example:0',
      '%74rust.gated.example',
      'xn--80ak6aa92e.com',
    ]) {
      for (const url of ['/bff/me', '/api/v1/controls', '/api/v1/no-such-route']) {
        const response = await send('GET', url, host);
        expect(response.statusCode, `${host} ${url}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${host} ${url}`).toBeLessThan(500);
      }
      expect((await send('GET', '/admin/', host)).statusCode, host).toBeLessThan(500);
    }
  });
});

describe('custom domain lookup', () => {
  function counting(domains: string[]) {
    const asked: string[] = [];
    return {
      asked,
      tenants: {
        isCustomDomain: async (host: string) => {
          asked.push(host);
          return domains.includes(host);
        },
      },
    };
  }

  it('asks the database once per host and period, and never for addresses or single labels', async () => {
    let time = 0;
    const { asked, tenants } = counting(['trust.a.example']);
    const isCustomDomain = createCustomDomainLookup({ tenants, revalidateMs: 1000, now: () => time });
    const both = await Promise.all([isCustomDomain('trust.a.example'), isCustomDomain('Trust.A.example')]);
    expect(both).toEqual([true, true]);
    expect(isCustomDomain('trust.a.example')).toBe(true);
    expect(await isCustomDomain('other.example')).toBe(false);
    expect(isCustomDomain('other.example')).toBe(false);
    for (const host of ['localhost', '127.0.0.1', '[::1]', '']) expect(isCustomDomain(host)).toBe(false);
    expect(asked).toEqual(['trust.a.example', 'other.example']);

    time = 1000;
    expect(await isCustomDomain('trust.a.example')).toBe(true);
    expect(asked).toEqual(['trust.a.example', 'other.example', 'trust.a.example']);
  });
});
