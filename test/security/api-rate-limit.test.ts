import { beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/platform/auth/context.js';
import { SESSION_COOKIE } from '../../src/platform/http/session-cookie.js';
import { useTestApp } from '../support/app.js';
import { testDatabaseKinds } from '../support/databases.js';
import { sampleDocument } from '../support/fixtures.js';

const ORIGIN = 'http://127.0.0.1:3000';
const PASSWORD = 'a long and unusual passphrase 4471';
const LIMIT = 5;

describe.each(testDatabaseKinds)('API rate limits per credential on $name', (kind) => {
  let now = 1_000_000;
  const holder = useTestApp(kind, { apiRequestsPerMinute: LIMIT, rateLimitNow: () => now });
  let readKey = '';
  let writeKey = '';
  let tenantId = '';

  const api = (key: string, method: 'GET' | 'POST' = 'GET', url = '/api/v1/controls', payload?: object) =>
    holder.app.server.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    const { services } = holder.app;
    tenantId = (await services.tenants.create({ slug: 'limited', name: 'Limited Ltd' })).id;
    const ctx = systemContext(tenantId);
    await services.transfer.importDraft(ctx, sampleDocument('LIMIT'), { publish: true });
    await services.members.add(ctx, {
      email: 'owner@limited.example',
      role: 'owner',
      password: PASSWORD,
    });
    const ownerCtx = systemContext(tenantId, 'rate-limit-test');
    readKey = (await services.apiKeys.create(ownerCtx, { name: 'Reader', scopes: ['content:read'] })).secret;
    writeKey = (
      await services.apiKeys.create(ownerCtx, { name: 'Writer', scopes: ['content:read', 'content:write'] })
    ).secret;
  });

  it('answers within the budget with what is left, then 429 with Retry-After, for that key only', async () => {
    for (let request = 1; request <= LIMIT; request += 1) {
      const answer = await api(readKey);
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.headers['ratelimit-limit']).toBe(String(LIMIT));
      expect(answer.headers['ratelimit-remaining']).toBe(String(LIMIT - request));
    }
    const refused = await api(readKey);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate.limited');
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    // A forbidden request counts too: a key cannot probe without limit by asking for what it may not do.
    expect(
      (await api(readKey, 'POST', '/api/v1/faq', { key: 'x', question: 'Q?', answer: 'A.' })).statusCode,
    ).toBe(429);
    // Another key of the same tenant has its own budget.
    expect((await api(writeKey)).statusCode).toBe(200);
    // The next minute, the budget is full again.
    now += 60_000;
    expect((await api(readKey)).headers['ratelimit-remaining']).toBe(String(LIMIT - 1));
  });

  it('refuses a change over the budget before it happens', async () => {
    now += 60_000;
    const faq = async () => (await holder.app.services.faq.list(systemContext(tenantId))).length;
    const before = await faq();
    for (let request = 0; request < LIMIT; request += 1) expect((await api(writeKey)).statusCode).toBe(200);
    const refused = await api(writeKey, 'POST', '/api/v1/faq', {
      key: 'over-budget',
      question: 'Is this stored?',
      answer: 'It must not be.',
    });
    expect(refused.statusCode).toBe(429);
    expect(await faq()).toBe(before);
  });

  it('limits a person in the console the same way, and the console learns when to retry', async () => {
    now += 60_000;
    const login = await holder.app.server.inject({
      method: 'POST',
      url: '/bff/login',
      headers: { origin: ORIGIN },
      payload: { email: 'owner@limited.example', password: PASSWORD, tenant: 'limited' },
    });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]?.split('=')[1] ?? '';
    const console = () =>
      holder.app.server.inject({
        method: 'GET',
        url: '/bff/api/controls',
        headers: { origin: ORIGIN, cookie: `${SESSION_COOKIE}=${cookie}` },
      });
    for (let request = 0; request < LIMIT; request += 1) expect((await console()).statusCode).toBe(200);
    const refused = await console();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.headers['ratelimit-limit']).toBe(String(LIMIT));
  });
});
