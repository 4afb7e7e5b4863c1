import { beforeAll, describe, expect, it } from 'vitest';
import { SECOND_FACTOR_FREE_FAILURES } from '../../src/modules/accounts/second-factor-attempts.js';
import { systemContext } from '../../src/platform/auth/context.js';
import { SESSION_COOKIE } from '../../src/platform/http/session-cookie.js';
import { useTestApp } from '../support/app.js';
import { bffClient, enableTotp, sessionOf } from '../support/bff-client.js';
import { manualClock } from '../support/clock.js';
import { testDatabaseKinds } from '../support/databases.js';

const PASSWORD = 'a long and unusual passphrase 4471';

/**
 * Issue 18, finding 5: wrong TOTP codes through a session (turning MFA off) were never limited.
 * Every code check shares one attempt limit per person, with the sign-in step.
 */
describe.each(testDatabaseKinds)('one second-factor attempt limit per person on $name', (kind) => {
  const time = manualClock();
  const holder = useTestApp(kind, { clock: time.clock });
  const request = bffClient(() => holder.app);
  const login = (email: string, totp?: string) =>
    request('POST', '/bff/login', {
      body: { email, password: PASSWORD, tenant: 'codes', ...(totp ? { totp } : {}) },
    });

  beforeAll(async () => {
    const { services } = holder.app;
    const tenant = await services.tenants.create({ slug: 'codes', name: 'Codes Ltd' });
    for (const name of ['disabler', 'signer', 'racer'])
      await services.members.add(systemContext(tenant.id), {
        email: `${name}@codes.example`,
        role: 'editor',
        password: PASSWORD,
      });
  });

  it('refuses wrong codes at /bff/mfa/disable with 429 after the limit, and the sign-in step shares it', async () => {
    const mfa = await enableTotp(request, sessionOf(await login('disabler@codes.example')), time.clock);
    time.advance(31_000);
    const disable = (code: string) =>
      request('POST', '/bff/mfa/disable', { cookies: { [SESSION_COOKIE]: mfa.session }, body: { code } });
    for (let attempt = 0; attempt <= SECOND_FACTOR_FREE_FAILURES; attempt += 1)
      expect((await disable(mfa.wrongCode())).statusCode).toBe(401);
    const refused = await disable(mfa.wrongCode());
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('auth.mfa_throttled');
    // The right code is refused too while the wait lasts: guessing cannot continue in parallel.
    expect((await disable(mfa.code())).statusCode).toBe(429);
    // The same person's sign-in step is under the same limit.
    const signIn = await login('disabler@codes.example', mfa.code());
    expect(signIn.statusCode).toBe(429);
    expect(signIn.json().error.code).toBe('auth.mfa_throttled');
    // So are recovery codes.
    const recovery = await login('disabler@codes.example', mfa.recovery[0]);
    expect(recovery.statusCode).toBe(429);
    expect(recovery.json().error.code).toBe('auth.mfa_throttled');
    expect(
      (await request('GET', '/bff/me', { cookies: { [SESSION_COOKIE]: mfa.session } })).json().mfa.enabled,
    ).toBe(true);

    // After the wait, the right code works and the count starts again.
    time.advance(time.minutes(1));
    expect((await login('disabler@codes.example', mfa.code())).statusCode).toBe(200);
    time.advance(31_000);
    expect((await disable(mfa.code())).statusCode).toBe(204);
  });

  it('counts wrong codes at sign-in against turning the second factor off', async () => {
    const mfa = await enableTotp(request, sessionOf(await login('signer@codes.example')), time.clock);
    time.advance(31_000);
    for (let attempt = 0; attempt <= SECOND_FACTOR_FREE_FAILURES; attempt += 1)
      expect((await login('signer@codes.example', mfa.wrongCode())).statusCode).toBe(401);
    const disabled = await request('POST', '/bff/mfa/disable', {
      cookies: { [SESSION_COOKIE]: mfa.session },
      body: { code: mfa.code() },
    });
    expect(disabled.statusCode).toBe(429);
    expect(disabled.json().error.code).toBe('auth.mfa_throttled');
  });

  it('accepts a TOTP code once even when two sign-ins race with it', async () => {
    const mfa = await enableTotp(request, sessionOf(await login('racer@codes.example')), time.clock);
    time.advance(31_000);
    const code = mfa.code();
    const answers = await Promise.all([1, 2, 3].map(() => login('racer@codes.example', code)));
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 401, 401]);
  });
});
