import { TOTP } from 'otpauth';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/app.js';
import { manualClock } from '../../test/support/clock.js';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { multipart, samplePdf } from '../../test/support/documents.js';
import { sampleDocument } from '../../test/support/fixtures.js';
import { systemContext } from '../platform/auth/context.js';
import { SESSION_COOKIE } from '../platform/http/session-cookie.js';

const ORIGIN = 'http://127.0.0.1:3000';
const PASSWORD = 'a long and unusual passphrase 4471';
const MAX_UPLOAD = 1024 * 1024;
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;

describe.each(testDatabaseKinds)('backend-for-frontend sessions on $name', (kind) => {
  const time = manualClock();
  const holder = useTestApp(kind, { clock: time.clock, maxUploadBytes: MAX_UPLOAD });
  let tenantId = '';
  const seen: string[] = [];

  async function request(
    method: string,
    url: string,
    options: { cookie?: string; body?: unknown; origin?: string | null } = {},
  ) {
    const headers: Record<string, string> = {};
    if (options.origin !== null) headers.origin = options.origin ?? ORIGIN;
    if (options.cookie) headers.cookie = `${SESSION_COOKIE}=${options.cookie}`;
    const response = await holder.app.server.inject({
      method: method as 'GET',
      url,
      headers,
      ...(options.body !== undefined ? { payload: options.body as object } : {}),
    });
    seen.push(response.body, JSON.stringify(response.headers));
    return response;
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

  async function login(email: string, extra: Record<string, unknown> = {}) {
    return request('POST', '/bff/login', { body: { email, password: PASSWORD, tenant: 'bff', ...extra } });
  }

  beforeAll(async () => {
    const { services } = holder.app;
    const tenant = await services.tenants.create({ slug: 'bff', name: 'BFF Test' });
    tenantId = tenant.id;
    const ctx = systemContext(tenant.id);
    await services.transfer.importDraft(ctx, sampleDocument('BFF'), { publish: true });
    await services.members.add(ctx, { email: 'owner@bff.example', role: 'owner', password: PASSWORD });
    await services.members.add(ctx, { email: 'viewer@bff.example', role: 'viewer', password: PASSWORD });
    await services.members.add(ctx, { email: 'leaver@bff.example', role: 'admin', password: PASSWORD });
    await services.members.add(ctx, { email: 'mfa@bff.example', role: 'editor', password: PASSWORD });
  });

  it('signs in with a __Host- cookie that is HttpOnly, Secure and SameSite=Lax, and no token in the body', async () => {
    const response = await login('owner@bff.example');
    expect(response.statusCode).toBe(200);
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(new RegExp(`^${SESSION_COOKIE}=[0-9a-f-]{36}\\.[A-Za-z0-9_-]{43};`));
    expect(header).toContain('Path=/');
    expect(header).toContain('HttpOnly');
    expect(header).toContain('Secure');
    expect(header).toContain('SameSite=Lax');
    expect(header).not.toContain('Domain=');
    const cookie = cookieFrom(response);
    expect(response.body).not.toContain(cookie.split('.')[1]);
    expect(response.json()).toMatchObject({
      role: 'owner',
      tenant: { slug: 'bff' },
      user: { email: 'owner@bff.example' },
    });
  });

  it('gives a new session id at every sign-in, whatever cookie the browser brought', async () => {
    const first = cookieFrom(await login('owner@bff.example'));
    const second = await holder.app.server.inject({
      method: 'POST',
      url: '/bff/login',
      headers: { origin: ORIGIN, cookie: `${SESSION_COOKIE}=${first}` },
      payload: { email: 'owner@bff.example', password: PASSWORD, tenant: 'bff' },
    });
    expect(cookieFrom(second)).not.toBe(first);
  });

  it('answers an unknown e-mail exactly like a wrong password', async () => {
    const unknown = await login('nobody@bff.example');
    const wrong = await request('POST', '/bff/login', {
      body: { email: 'viewer@bff.example', password: 'not the right one at all', tenant: 'bff' },
    });
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    const strip = (body: string) => JSON.parse(body).error.code + JSON.parse(body).error.message;
    expect(strip(unknown.body)).toBe(strip(wrong.body));
    const otherTenant = await request('POST', '/bff/login', {
      body: { email: 'owner@bff.example', password: PASSWORD, tenant: 'no-such-tenant' },
    });
    expect(strip(otherTenant.body)).toBe(strip(wrong.body));
  });

  it('refuses state-changing requests from another origin, or with no origin at all', async () => {
    const cookie = cookieFrom(await login('owner@bff.example'));
    expect(
      (await request('POST', '/bff/logout', { cookie, origin: 'https://evil.example' })).statusCode,
    ).toBe(403);
    expect((await request('POST', '/bff/api/publish', { cookie, origin: null })).statusCode).toBe(403);
    const sameSite = await holder.app.server.inject({
      method: 'POST',
      url: '/bff/api/publish',
      headers: { cookie: `${SESSION_COOKIE}=${cookie}`, 'sec-fetch-site': 'same-origin' },
    });
    expect(sameSite.statusCode).toBe(200);
    expect((await request('GET', '/bff/me', { cookie, origin: 'https://evil.example' })).statusCode).toBe(
      200,
    );
  });

  it('proxies the API with the session, and the server refuses what the role does not allow', async () => {
    const owner = cookieFrom(await login('owner@bff.example'));
    const viewer = cookieFrom(await login('viewer@bff.example'));
    const controls = await request('GET', '/bff/api/controls', { cookie: owner });
    expect(controls.statusCode).toBe(200);
    const [control] = controls.json().items;
    expect(control.title).toBe('BFF TLS everywhere');
    expect((await request('GET', '/bff/api/controls', { cookie: viewer })).statusCode).toBe(200);
    const forged = await request('PATCH', `/bff/api/controls/${control.id}`, {
      cookie: viewer,
      body: { title: 'Forged' },
    });
    expect(forged.statusCode).toBe(403);
    const edited = await request('PATCH', `/bff/api/controls/${control.id}`, {
      cookie: owner,
      body: { title: 'Edited by owner' },
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({
      title: 'Edited by owner',
      description: 'TLS 1.3',
      status: 'implemented',
    });
    expect((await request('GET', '/bff/api/controls')).statusCode).toBe(401);
  });

  it('passes an upload to the API as sent: the document is stored, an oversized one is 413 and stores nothing', async () => {
    const owner = cookieFrom(await login('owner@bff.example'));
    const viewer = cookieFrom(await login('viewer@bff.example'));
    const pdf = await samplePdf('Uploaded through the console');
    const form = multipart(
      { title: 'Pentest summary', category: 'pentest', accessLevel: 'gated' },
      { filename: 'pentest.pdf', data: pdf, contentType: 'application/pdf' },
    );
    const upload = (cookie: string, payload: Buffer) =>
      holder.app.server.inject({
        method: 'POST',
        url: '/bff/api/documents',
        headers: { ...form.headers, origin: ORIGIN, cookie: `${SESSION_COOKIE}=${cookie}` },
        payload,
      });
    expect((await upload(viewer, form.payload)).statusCode).toBe(403);
    const created = await upload(owner, form.payload);
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const file = await request('GET', `/bff/api/documents/${id}/file`, { cookie: owner });
    expect(file.statusCode).toBe(200);
    expect(Buffer.compare(file.rawPayload, pdf)).toBe(0);

    const huge = multipart(
      { title: 'Too big', category: 'other', accessLevel: 'private' },
      { filename: 'big.pdf', data: Buffer.concat([pdf, Buffer.alloc(MAX_UPLOAD)]) },
    );
    const refused = await holder.app.server.inject({
      method: 'POST',
      url: '/bff/api/documents',
      headers: { ...huge.headers, origin: ORIGIN, cookie: `${SESSION_COOKIE}=${owner}` },
      payload: huge.payload,
    });
    expect(refused.statusCode).toBe(413);
    const list = await request('GET', '/bff/api/documents', { cookie: owner });
    expect(list.json().items.map((item: { title: string }) => item.title)).toEqual(['Pentest summary']);
  });

  it('reads no upload for someone who is not signed in, and takes multipart nowhere else', async () => {
    const form = multipart(
      { title: 'Unauthenticated', category: 'other', accessLevel: 'private' },
      { filename: 'x.pdf', data: await samplePdf('nobody') },
    );
    const anonymous = await holder.app.server.inject({
      method: 'POST',
      url: '/bff/api/documents',
      headers: { ...form.headers, origin: ORIGIN },
      payload: form.payload,
    });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('auth.session_expired');
    const login = await holder.app.server.inject({
      method: 'POST',
      url: '/bff/login',
      headers: { ...form.headers, origin: ORIGIN },
      payload: form.payload,
    });
    expect(login.statusCode).toBe(415);
  });

  it('ends a session after the idle timeout, and after the absolute lifetime even when active', async () => {
    const cookie = cookieFrom(await login('owner@bff.example'));
    time.advance(time.minutes(29));
    expect((await request('GET', '/bff/me', { cookie })).statusCode).toBe(200);
    time.advance(time.minutes(29)); // 29 minutes since the last request: still inside the sliding window
    expect((await request('GET', '/bff/me', { cookie })).statusCode).toBe(200);
    time.advance(time.minutes(31));
    const idle = await request('GET', '/bff/me', { cookie });
    expect(idle.statusCode).toBe(401);
    expect(idle.json().error.code).toBe('auth.session_expired');

    const busy = cookieFrom(await login('owner@bff.example'));
    for (let hour = 0; hour < 12; hour += 1) {
      for (let step = 0; step < 3; step += 1) {
        time.advance(time.minutes(20));
        const response = await request('GET', '/bff/me', { cookie: busy });
        if (hour === 11 && step === 2) expect(response.statusCode).toBe(401);
        else expect(response.statusCode, `hour ${hour} step ${step}`).toBe(200);
      }
    }
  });

  it('applies the tenant’s own timeouts', async () => {
    const owner = cookieFrom(await login('owner@bff.example'));
    const updated = await request('PUT', '/bff/api/settings', {
      cookie: owner,
      body: { sessionIdleMinutes: 5, sessionAbsoluteHours: 1, requireMfa: false },
    });
    expect(updated.statusCode).toBe(200);
    const cookie = cookieFrom(await login('viewer@bff.example'));
    time.advance(time.minutes(6));
    expect((await request('GET', '/bff/me', { cookie })).statusCode).toBe(401);
    await holder.app.services.settings.update(systemContext(tenantId), {
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 12,
      requireMfa: false,
    });
  });

  it('lists and revokes one’s sessions, and signs out everywhere', async () => {
    const first = cookieFrom(await login('viewer@bff.example'));
    const second = cookieFrom(await login('viewer@bff.example'));
    const list = await request('GET', '/bff/sessions', { cookie: second });
    const sessions = list.json().items as { id: string; current: boolean }[];
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    const other = sessions.find((session) => !session.current);
    expect((await request('DELETE', `/bff/sessions/${other?.id}`, { cookie: second })).statusCode).toBe(204);
    expect((await request('GET', '/bff/me', { cookie: first })).statusCode).toBe(401);
    const third = cookieFrom(await login('viewer@bff.example'));
    expect((await request('POST', '/bff/sessions/revoke-all', { cookie: second })).statusCode).toBe(204);
    expect((await request('GET', '/bff/me', { cookie: second })).statusCode).toBe(401);
    expect((await request('GET', '/bff/me', { cookie: third })).statusCode).toBe(401);
  });

  it('offboarding takes effect on the very next request: sessions and API keys', async () => {
    const owner = cookieFrom(await login('owner@bff.example'));
    const leaver = cookieFrom(await login('leaver@bff.example'));
    // The leaver, an admin, made an API key for a deployment.
    const created = await request('POST', '/bff/api/api-keys', {
      cookie: leaver,
      body: { name: 'CI', scopes: ['content:read'] },
    });
    expect(created.statusCode).toBe(201);
    const secret = created.json().secret as string;
    const withKey = () =>
      holder.app.server.inject({
        method: 'GET',
        url: '/api/v1/controls',
        headers: { authorization: `Bearer ${secret}` },
      });
    expect((await withKey()).statusCode).toBe(200);
    // A key that can manage keys makes another one: it still belongs to the same person.
    const adminKey = await request('POST', '/bff/api/api-keys', {
      cookie: leaver,
      body: { name: 'automation', scopes: ['api_keys:manage', 'content:read'] },
    });
    const childKey = await holder.app.server.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { authorization: `Bearer ${adminKey.json().secret}` },
      payload: { name: 'made by a key', scopes: ['content:read'] },
    });
    expect(childKey.statusCode).toBe(201);
    const withChild = () =>
      holder.app.server.inject({
        method: 'GET',
        url: '/api/v1/controls',
        headers: { authorization: `Bearer ${childKey.json().secret}` },
      });
    expect((await withChild()).statusCode).toBe(200);
    expect((await request('GET', '/bff/api/controls', { cookie: leaver })).statusCode).toBe(200);

    const members = (await request('GET', '/bff/api/members', { cookie: owner })).json().items as {
      userId: string;
      email: string;
    }[];
    const leaverId = members.find((member) => member.email === 'leaver@bff.example')?.userId;
    expect((await request('DELETE', `/bff/api/members/${leaverId}`, { cookie: owner })).statusCode).toBe(204);

    expect((await request('GET', '/bff/api/controls', { cookie: leaver })).statusCode).toBe(401);
    expect((await request('GET', '/bff/me', { cookie: leaver })).statusCode).toBe(401);
    expect((await withKey()).statusCode).toBe(401);
    expect((await withChild()).statusCode).toBe(401);
    expect((await login('leaver@bff.example')).statusCode).toBe(401);
  });

  it('throttles repeated failures with growing delays, even for the right password', async () => {
    const attempt = (password: string) =>
      request('POST', '/bff/login', { body: { email: 'owner@bff.example', password, tenant: 'bff' } });
    for (let index = 0; index < 5; index += 1)
      expect((await attempt('wrong password number one')).statusCode).toBe(401);
    expect((await attempt('wrong password number one')).statusCode).toBe(401); // the 6th failure starts a delay
    expect((await attempt(PASSWORD)).statusCode).toBe(429);
    time.advance(1_500);
    expect((await attempt('wrong password number one')).statusCode).toBe(401);
    const blocked = await attempt(PASSWORD);
    expect(blocked.statusCode).toBe(429);
    time.advance(time.minutes(16));
    expect((await attempt(PASSWORD)).statusCode).toBe(200);
  });

  it('requires a TOTP code once the second factor is on; a recovery code works once', async () => {
    const cookie = cookieFrom(await login('mfa@bff.example'));
    const setup = await request('POST', '/bff/mfa/setup', { cookie });
    expect(setup.statusCode).toBe(200);
    const totp = new TOTP({ secret: setup.json().secret });
    const code = () => totp.generate({ timestamp: time.clock().getTime() });
    const enabled = await request('POST', '/bff/mfa/enable', { cookie, body: { code: code() } });
    expect(enabled.statusCode).toBe(200);
    const recovery = enabled.json().recoveryCodes as string[];
    expect(recovery).toHaveLength(10);
    expect(cookieFrom(enabled)).not.toBe(cookie); // a privilege change renews the session id
    expect((await request('GET', '/bff/me', { cookie })).statusCode).toBe(401);

    time.advance(31_000);
    expect((await login('mfa@bff.example')).json().error.code).toBe('auth.mfa_required');
    expect((await login('mfa@bff.example', { totp: '000000' })).statusCode).toBe(401);
    const current = code();
    expect((await login('mfa@bff.example', { totp: current })).statusCode).toBe(200);
    expect((await login('mfa@bff.example', { totp: current })).statusCode).toBe(401); // no replay
    expect((await login('mfa@bff.example', { totp: recovery[0] })).statusCode).toBe(200);
    expect((await login('mfa@bff.example', { totp: recovery[0] })).statusCode).toBe(401);
  });

  it('never shows a token or secret to the browser in any BFF response', () => {
    for (const text of seen) expect(text).not.toMatch(JWT_SHAPE);
  });
});
