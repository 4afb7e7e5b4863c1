import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/support/app.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { systemContext } from '../auth/context.js';

/**
 * What a client of the API sees of its answers: JSON compressed when it accepts br or gzip and the
 * body is large enough, an ETag that a later If-None-Match turns into a 304 until the data
 * changes (and that never matches another tenant's or another page's answer), and lists paged
 * with a default and a maximum page size.
 */
describe.each(testDatabaseKinds)('API answers on $name', (kind) => {
  const holder = useTestApp(kind);
  let key = '';
  let otherKey = '';
  let emptyKey = '';
  let otherEmptyKey = '';
  let controlId = '';
  let tenantId = '';

  const get = (url: string, headers: Record<string, string> = {}, as = key) =>
    holder.app.server.inject({ url, headers: { authorization: `Bearer ${as}`, ...headers } });

  async function tenantWithKey(slug: string, controls: number): Promise<{ id: string; key: string }> {
    const { services } = holder.app;
    const tenant = await services.tenants.create({ slug, name: `${slug} Ltd` });
    const ctx = systemContext(tenant.id);
    if (controls > 0) {
      await services.transfer.importDraft(ctx, sampleDocument(slug.toUpperCase()), { publish: false });
      const [category] = await services.controls.listCategories(ctx);
      for (let n = 0; n < controls - 2; n += 1) {
        await services.controls.createControl(ctx, {
          categoryId: category?.id ?? '',
          key: `control-${n}`,
          title: `Control ${n} of ${slug}`,
          description: 'Access to production requires single sign-on with a hardware second factor.',
        });
      }
    }
    const created = await services.apiKeys.create(ctx, { name: 'Reader', scopes: ['content:read'] });
    return { id: tenant.id, key: created.secret };
  }

  beforeAll(async () => {
    const main = await tenantWithKey('answers', 60);
    key = main.key;
    tenantId = main.id;
    otherKey = (await tenantWithKey('answers-other', 60)).key;
    emptyKey = (await tenantWithKey('answers-empty', 0)).key;
    otherEmptyKey = (await tenantWithKey('answers-empty-too', 0)).key;
    controlId = (await get('/api/v1/controls?limit=1')).json().items[0].id;
  });

  it('compresses a large JSON answer with br or gzip as the client accepts, and says it varies', async () => {
    const plain = await get('/api/v1/controls?limit=200');
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(plain.json().items).toHaveLength(60);

    const br = await get('/api/v1/controls?limit=200', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(zlib.brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    expect(Number(br.headers['content-length'])).toBe(br.rawPayload.length);

    const gzip = await get('/api/v1/controls?limit=200', { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gzip.rawPayload).toString()).toBe(plain.body);

    // Refused by q=0, or not offered: the body as it is.
    const refused = await get('/api/v1/controls?limit=200', { 'accept-encoding': 'br;q=0, identity' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body).toBe(plain.body);

    // The same representation, asked again, is the same bytes (the compressed copy is kept).
    const again = await get('/api/v1/controls?limit=200', { 'accept-encoding': 'br' });
    expect(again.rawPayload.equals(br.rawPayload)).toBe(true);
  });

  it('sends a body below 1 KB as it is, whatever the client accepts', async () => {
    const one = await get(`/api/v1/controls/${controlId}`, { 'accept-encoding': 'br, gzip' });
    expect(one.statusCode).toBe(200);
    expect(one.rawPayload.length).toBeLessThan(1024);
    expect(one.headers['content-encoding']).toBeUndefined();
    expect(one.headers.vary).toBeUndefined();
    expect(one.json().id).toBe(controlId);
  });

  it('answers 304 to a matching If-None-Match, and a new ETag once the list changed', async () => {
    const first = await get('/api/v1/controls?limit=10', { 'accept-encoding': 'br' });
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);
    // The tag names the data, not the encoding: identity and br share it.
    expect((await get('/api/v1/controls?limit=10')).headers.etag).toBe(etag);

    const unchanged = await get('/api/v1/controls?limit=10', {
      'if-none-match': etag,
      'accept-encoding': 'br',
    });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.rawPayload.length).toBe(0);
    expect(unchanged.headers.etag).toBe(etag);
    expect(unchanged.headers['cache-control']).toBe('no-store');
    // A list of tags, and the strong form of the same tag, match too.
    const strong = etag.slice(2);
    expect(
      (await get('/api/v1/controls?limit=10', { 'if-none-match': `"nope", ${strong}` })).statusCode,
    ).toBe(304);
    // The one-item endpoint has its own tag.
    const item = await get(`/api/v1/controls/${controlId}`);
    expect(
      (await get(`/api/v1/controls/${controlId}`, { 'if-none-match': String(item.headers.etag) })).statusCode,
    ).toBe(304);

    await holder.app.services.controls.updateControl(systemContext(tenantId), controlId, {
      title: 'Renamed',
    });
    const changed = await get('/api/v1/controls?limit=10', { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.json().items.find((control: { id: string }) => control.id === controlId).title).toBe(
      'Renamed',
    );
    expect(
      (await get(`/api/v1/controls/${controlId}`, { 'if-none-match': String(item.headers.etag) })).statusCode,
    ).toBe(200);
  });

  it("never matches another tenant's or another page's ETag, even for the same bytes", async () => {
    const mine = await get('/api/v1/controls', {}, emptyKey);
    const theirs = await get('/api/v1/controls', {}, otherEmptyKey);
    expect(mine.body).toBe('{"items":[],"total":0,"nextOffset":null}');
    expect(theirs.body).toBe(mine.body);
    expect(theirs.headers.etag).not.toBe(mine.headers.etag);
    const crossed = await get(
      '/api/v1/controls',
      { 'if-none-match': String(mine.headers.etag) },
      otherEmptyKey,
    );
    expect(crossed.statusCode).toBe(200);

    const ours = await get('/api/v1/controls?limit=5');
    const other = await get(
      '/api/v1/controls?limit=5',
      { 'if-none-match': String(ours.headers.etag) },
      otherKey,
    );
    expect(other.statusCode).toBe(200);

    // Two pages past the end are the same bytes, but not the same page.
    const far = await get('/api/v1/controls?offset=500');
    const farther = await get('/api/v1/controls?offset=600', { 'if-none-match': String(far.headers.etag) });
    expect(farther.body).toBe(far.body);
    expect(farther.statusCode).toBe(200);
  });

  it('pages lists with a default and a maximum page size', async () => {
    const first = await get('/api/v1/controls');
    expect(first.json().items).toHaveLength(50);
    expect(first.json()).toMatchObject({ total: 60, nextOffset: 50 });
    const rest = await get('/api/v1/controls?offset=50');
    expect(rest.json().items).toHaveLength(10);
    expect(rest.json().nextOffset).toBeNull();
    const all = (await get('/api/v1/controls?limit=200'))
      .json()
      .items.map((control: { id: string }) => control.id);
    expect([...first.json().items, ...rest.json().items].map((control) => control.id)).toEqual(all);
    expect(new Set(all).size).toBe(60);
  });

  it.each([
    'limit=0',
    'limit=-1',
    'limit=201',
    'limit=1000000000',
    'limit=1e400',
    'limit=abc',
    'limit=1.5',
    'limit=',
    'limit=1&limit=2',
    'offset=-1',
    'offset=10000000',
    'offset=NaN',
  ])('answers 400 to a hostile page (%s)', async (query) => {
    const answer = await get(`/api/v1/controls?${query}`);
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error.code).toBe('request.invalid');
  });
});
