import { eq } from 'drizzle-orm';
import { TOTP } from 'otpauth';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/app.js';
import { manualClock } from '../../test/support/clock.js';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { sampleDocument } from '../../test/support/fixtures.js';
import { sessions } from '../modules/sessions/sessions.schema.js';
import { tenants } from '../modules/tenants/tenants.schema.js';
import { systemContext } from '../platform/auth/context.js';
import { withPlatform, withTenant } from '../platform/db/tenancy.js';
import { SESSION_COOKIE } from '../platform/http/session-cookie.js';

const ORIGIN = 'http://127.0.0.1:3000';
const PASSWORD = 'a long and unusual passphrase 4471';
const CONSULTANT = 'consultant@switch.example';

describe.each(testDatabaseKinds)('switching trust centers on $name', (kind) => {
  const time = manualClock();
  const holder = useTestApp(kind, { clock: time.clock });
  const ids: Record<string, string> = {};

  async function request(
    method: string,
    url: string,
    options: { cookie?: string; body?: unknown; origin?: string | null } = {},
  ) {
    const headers: Record<string, string> = {};
    if (options.origin !== null) headers.origin = options.origin ?? ORIGIN;
    if (options.cookie) headers.cookie = `${SESSION_COOKIE}=${options.cookie}`;
    return holder.app.server.inject({
      method: method as 'GET',
      url,
      headers,
      ...(options.body !== undefined ? { payload: options.body as object } : {}),
    });
  }

  function cookieFrom(response: { headers: Record<string, unknown> }): string {
    const header = response.headers['set-cookie'];
    const line = (Array.isArray(header) ? header : [header]).find((value) =>
      String(value).startsWith(`${SESSION_COOKIE}=`),
    );
    return (
      String(line ?? '')
        .split(';')[0]
        ?.split('=')[1] ?? ''
    );
  }

  async function login(email: string, tenant = 'alpha', extra: Record<string, unknown> = {}) {
    const response = await request('POST', '/bff/login', {
      body: { email, password: PASSWORD, tenant, ...extra },
    });
    expect(response.statusCode, response.body).toBe(200);
    return cookieFrom(response);
  }

  const switchTo = (cookie: string, tenant: unknown, origin?: string | null) =>
    request('POST', '/bff/switch', { cookie, body: { tenant }, ...(origin !== undefined ? { origin } : {}) });

  async function auditOf(slug: string) {
    const page = await holder.app.services.audit.list(systemContext(ids[slug] ?? ''), { limit: 200 });
    return page.events;
  }

  beforeAll(async () => {
    const { services } = holder.app;
    for (const [slug, name] of [
      ['alpha', 'Alpha Trust'],
      ['beta', 'Beta Trust'],
      ['gamma', 'Gamma Trust'],
      ['held', 'Held Trust'],
    ] as const) {
      const tenant = await services.tenants.create({ slug, name });
      ids[slug] = tenant.id;
      await services.transfer.importDraft(
        systemContext(tenant.id),
        sampleDocument(name.split(' ')[0] ?? ''),
        {
          publish: true,
        },
      );
    }
    const ctx = (slug: string) => systemContext(ids[slug] ?? '');
    await services.roles.create(ctx('beta'), {
      key: 'reviewer',
      name: 'Security reviewer',
      permissions: ['content:read'],
    });
    await services.members.add(ctx('alpha'), { email: CONSULTANT, role: 'owner', password: PASSWORD });
    await services.members.add(ctx('beta'), { email: CONSULTANT, role: 'reviewer' });
    await services.members.add(ctx('held'), { email: CONSULTANT, role: 'owner' });
    await services.members.add(ctx('gamma'), {
      email: 'stranger@switch.example',
      role: 'owner',
      password: PASSWORD,
    });
    await services.members.add(ctx('alpha'), {
      email: 'leaver@switch.example',
      role: 'editor',
      password: PASSWORD,
    });
    await services.members.add(ctx('beta'), { email: 'leaver@switch.example', role: 'editor' });
    await services.members.add(ctx('alpha'), {
      email: 'mfa@switch.example',
      role: 'editor',
      password: PASSWORD,
    });
    await services.members.add(ctx('beta'), { email: 'mfa@switch.example', role: 'viewer' });
    await services.members.add(ctx('alpha'), {
      email: 'busy@switch.example',
      role: 'viewer',
      password: PASSWORD,
    });
    await services.members.add(ctx('beta'), { email: 'busy@switch.example', role: 'viewer' });
    await withPlatform(holder.app.db, (tx) =>
      tx
        .update(tenants)
        .set({ status: 'suspended' })
        .where(eq(tenants.id, ids.held ?? '')),
    );
  });

  it('lists the trust centers one is a member of, and only those that are served', async () => {
    const cookie = await login(CONSULTANT);
    const response = await request('GET', '/bff/trust-centers', { cookie });
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toEqual([
      { slug: 'alpha', name: 'Alpha Trust', role: 'owner', roleName: 'Owner', current: true },
      { slug: 'beta', name: 'Beta Trust', role: 'reviewer', roleName: 'Security reviewer', current: false },
    ]);
    const stranger = await login('stranger@switch.example', 'gamma');
    const theirs = (await request('GET', '/bff/trust-centers', { cookie: stranger })).json().items;
    expect(theirs).toEqual([
      { slug: 'gamma', name: 'Gamma Trust', role: 'owner', roleName: 'Owner', current: true },
    ]);
    expect((await request('GET', '/bff/trust-centers')).statusCode).toBe(401);
  });

  it('switches: a new session in the target, the old one ends, the API answers for the target only', async () => {
    const alphaCookie = await login(CONSULTANT);
    const alphaControl = (await request('GET', '/bff/api/controls', { cookie: alphaCookie })).json().items[0];
    const switched = await switchTo(alphaCookie, 'beta');
    expect(switched.statusCode, switched.body).toBe(200);
    expect(switched.json()).toMatchObject({
      tenant: { slug: 'beta', name: 'Beta Trust' },
      role: 'reviewer',
      permissions: ['content:read'],
      user: { email: CONSULTANT },
    });
    const header = String(switched.headers['set-cookie']);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('Secure');
    const betaCookie = cookieFrom(switched);
    expect(betaCookie.startsWith(`${ids.beta}.`)).toBe(true);
    expect(betaCookie).not.toBe(alphaCookie);

    expect((await request('GET', '/bff/me', { cookie: alphaCookie })).statusCode).toBe(401);
    const me = await request('GET', '/bff/me', { cookie: betaCookie });
    expect(me.json().tenant.slug).toBe('beta');
    const controls = (await request('GET', '/bff/api/controls', { cookie: betaCookie })).json().items;
    const titles = controls.map((control: { title: string }) => control.title);
    expect(titles).toContain('Beta TLS everywhere');
    expect(titles.join()).not.toContain('Alpha');
    const foreign = await request('GET', `/bff/api/controls/${alphaControl.id}`, { cookie: betaCookie });
    expect(foreign.statusCode).toBe(404);
    // The reviewer role does not hold what the owner held in alpha.
    expect((await request('GET', '/bff/api/audit-events', { cookie: betaCookie })).statusCode).toBe(403);

    // And back again.
    const back = await switchTo(betaCookie, 'alpha');
    expect(back.json()).toMatchObject({ tenant: { slug: 'alpha' }, role: 'owner' });
    expect((await request('GET', '/bff/me', { cookie: betaCookie })).statusCode).toBe(401);
    expect((await request('GET', '/bff/me', { cookie: cookieFrom(back) })).statusCode).toBe(200);
  });

  it('records each half in its own audit log, neither naming the other tenant', async () => {
    const alphaLog = await auditOf('alpha');
    const betaLog = await auditOf('beta');
    const out = alphaLog.find((event) => event.action === 'auth.switched_out');
    const into = betaLog.find((event) => event.action === 'auth.switched_in');
    expect(out).toMatchObject({ actor: { kind: 'user' }, target: { type: 'session' } });
    expect(into).toMatchObject({
      actor: { kind: 'user' },
      target: { type: 'session' },
      details: { factor: 'switch' },
    });
    expect(JSON.stringify(alphaLog)).not.toContain(ids.beta);
    expect(JSON.stringify(alphaLog)).not.toContain('beta');
    expect(JSON.stringify(betaLog)).not.toContain(ids.alpha);
    expect(JSON.stringify(betaLog)).not.toContain('alpha');
    for (const slug of ['alpha', 'beta']) {
      expect((await holder.app.services.audit.verify(systemContext(ids[slug] ?? ''))).ok).toBe(true);
    }
  });

  it('refuses an unknown, a foreign and a suspended trust center alike, and changes nothing', async () => {
    const cookie = await login(CONSULTANT);
    const answers = [];
    for (const tenant of ['no-such-tenant', 'gamma', 'held']) {
      const response = await switchTo(cookie, tenant);
      expect(response.statusCode, tenant).toBe(404);
      expect(response.headers['set-cookie'], tenant).toBeUndefined();
      const { code, message, details } = response.json().error;
      answers.push(JSON.stringify({ code, message, details }));
    }
    expect(JSON.parse(answers[0] ?? '{}').code).toBe('auth.trust_center_unavailable');
    expect(new Set(answers).size).toBe(1);
    const me = await request('GET', '/bff/me', { cookie });
    expect(me.statusCode).toBe(200);
    expect(me.json().tenant.slug).toBe('alpha');
    const refused = (await auditOf('alpha')).filter((event) => event.action === 'auth.switch_refused');
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(refused)).not.toMatch(/gamma|held|no-such-tenant/);
    expect(JSON.stringify(await auditOf('gamma'))).not.toContain('switch');
  });

  it('answers hostile bodies with 400 and keeps the session', async () => {
    const cookie = await login(CONSULTANT);
    const bodies: unknown[] = [
      { tenant: 'a'.repeat(300) },
      { tenant: 42 },
      { tenant: ['beta'] },
      { tenant: { slug: 'beta' } },
      { tenant: 'Beta Trust' },
      { tenant: '../beta' },
      {},
      [],
    ];
    for (const body of bodies) {
      const response = await request('POST', '/bff/switch', { cookie, body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    expect((await request('GET', '/bff/me', { cookie })).json().tenant.slug).toBe('alpha');
  });

  it('refuses a cross-origin switch, one without an origin, and one without a session', async () => {
    const cookie = await login(CONSULTANT);
    expect((await switchTo(cookie, 'beta', 'https://evil.example')).statusCode).toBe(403);
    expect((await switchTo(cookie, 'beta', null)).statusCode).toBe(403);
    expect((await request('POST', '/bff/switch', { body: { tenant: 'beta' } })).statusCode).toBe(401);
    expect((await request('GET', '/bff/me', { cookie })).json().tenant.slug).toBe('alpha');
  });

  it('switching to the current trust center changes nothing', async () => {
    const cookie = await login(CONSULTANT);
    const response = await switchTo(cookie, 'alpha');
    expect(response.statusCode).toBe(200);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect((await request('GET', '/bff/me', { cookie })).statusCode).toBe(200);
  });

  it('a disabled user cannot switch', async () => {
    const cookie = await login('leaver@switch.example');
    const me = (await request('GET', '/bff/me', { cookie })).json();
    await holder.app.services.users.disable(me.user.id);
    const response = await switchTo(cookie, 'beta');
    expect(response.statusCode).toBe(401);
    expect(cookieFrom(response)).toBe('');
    const started = await withTenant(holder.app.db, ids.beta ?? '', (tx) =>
      tx.select().from(sessions).where(eq(sessions.userId, me.user.id)),
    );
    expect(started).toEqual([]);
  });

  it("applies the target's own limits, and never outlives the sign-in it continues", async () => {
    const { services } = holder.app;
    await services.settings.update(systemContext(ids.beta ?? ''), {
      sessionIdleMinutes: 5,
      sessionAbsoluteHours: 1,
      requireMfa: false,
    });
    const start = time.clock().getTime();
    const short = cookieFrom(await switchTo(await login(CONSULTANT), 'beta'));
    const me = (await request('GET', '/bff/me', { cookie: short })).json();
    expect(new Date(me.expiresAt).getTime()).toBe(start + 3_600_000);
    time.advance(time.minutes(6));
    expect((await request('GET', '/bff/me', { cookie: short })).statusCode).toBe(401);

    await services.settings.update(systemContext(ids.beta ?? ''), {
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 12,
      requireMfa: false,
    });
    let cookie = await login(CONSULTANT);
    const signedInUntil = (await request('GET', '/bff/me', { cookie })).json().expiresAt;
    for (let step = 0; step < 6; step += 1) {
      time.advance(time.minutes(20));
      expect((await request('GET', '/bff/me', { cookie })).statusCode).toBe(200);
    }
    cookie = cookieFrom(await switchTo(cookie, 'beta'));
    expect((await request('GET', '/bff/me', { cookie })).json().expiresAt).toBe(signedInUntil);
  });

  it('lets a person without a second factor into a trust center that requires one, and the API asks to set it up', async () => {
    await holder.app.services.settings.update(systemContext(ids.beta ?? ''), {
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 12,
      requireMfa: true,
    });
    const switched = await switchTo(await login('busy@switch.example'), 'beta');
    expect(switched.statusCode).toBe(200);
    expect(switched.json().mfa).toEqual({ enabled: false, required: true });
    const api = await request('GET', '/bff/api/controls', { cookie: cookieFrom(switched) });
    expect(api.statusCode).toBe(403);
    expect(api.json().error.code).toBe('auth.mfa_enrollment_required');

    // A person with a second factor proved it at sign-in: the switch asks for no code.
    const cookie = await login('mfa@switch.example');
    const setup = await request('POST', '/bff/mfa/setup', { cookie });
    const totp = new TOTP({ secret: setup.json().secret });
    const enabled = await request('POST', '/bff/mfa/enable', {
      cookie,
      body: { code: totp.generate({ timestamp: time.clock().getTime() }) },
    });
    expect(enabled.statusCode).toBe(200);
    const withFactor = await switchTo(cookieFrom(enabled), 'beta');
    expect(withFactor.statusCode).toBe(200);
    expect(withFactor.json().mfa).toEqual({ enabled: true, required: true });
    expect((await request('GET', '/bff/api/controls', { cookie: cookieFrom(withFactor) })).statusCode).toBe(
      200,
    );
    await holder.app.services.settings.update(systemContext(ids.beta ?? ''), {
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 12,
      requireMfa: false,
    });
  });

  it('limits how often one person switches', async () => {
    const cookie = await login('busy@switch.example');
    let last = 0;
    for (let attempt = 0; attempt < 31; attempt += 1) {
      last = (await switchTo(cookie, 'gamma')).statusCode;
    }
    expect(last).toBe(429);
    expect((await request('GET', '/bff/me', { cookie })).statusCode).toBe(200);
  });
});
