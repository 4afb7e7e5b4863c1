import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { multipart, samplePdf } from '../../../test/support/documents.js';
import { documentsApp, publishedTenant } from '../../../test/support/documents-app.js';
import { sampleDocument } from '../../../test/support/fixtures.js';

/**
 * Lists that grow (documents, downloads, members, invitations, API keys) are paged in SQL: each
 * page is one `limit/offset` read plus a count, in the `{ items, total, nextOffset }` shape.
 */
describe.each(testDatabaseKinds)('lists paged in SQL on $name', (kind) => {
  let setup: Awaited<ReturnType<typeof documentsApp>>;
  let tenant: Awaited<ReturnType<typeof publishedTenant>>;

  beforeAll(async () => {
    setup = await documentsApp(kind);
    tenant = await publishedTenant(setup.app, 'paging');
    const { services } = setup.app;
    for (const n of [1, 2, 3]) {
      const body = multipart(
        { title: `Policy ${n}`, category: 'policy', accessLevel: 'private' },
        { filename: `policy-${n}.pdf`, data: await samplePdf(`policy ${n}`) },
      );
      const created = await setup.app.server.inject({
        method: 'POST',
        url: '/api/v1/documents',
        headers: { authorization: tenant.authorization, ...body.headers },
        payload: body.payload,
      });
      expect(created.statusCode, created.body).toBe(201);
      await services.apiKeys.create(tenant.system, { name: `key ${n}`, scopes: ['content:read'] });
      await services.members.invite(tenant.system, { email: `person${n}@example.com`, role: 'viewer' });
      await services.members.add(tenant.system, {
        email: `member${n}@example.com`,
        role: 'viewer',
        password: `Paging-test-${n}-correct-horse-battery`,
      });
    }
  });
  afterAll(async () => setup?.close());

  async function pages(url: string): Promise<{ first: PageBody; second: PageBody }> {
    const get = async (offset: number) => {
      const response = await setup.app.server.inject({
        url: `/api/v1${url}?limit=2&offset=${offset}`,
        headers: { authorization: tenant.authorization },
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as PageBody;
    };
    return { first: await get(0), second: await get(2) };
  }
  type PageBody = { items: Record<string, unknown>[]; total: number; nextOffset: number | null };
  const ids = (body: PageBody, key: string) => body.items.map((item) => item[key]);

  it.each([
    ['/documents', 'id', 3],
    ['/api-keys', 'id', 3],
    ['/invitations', 'id', 3],
    ['/members', 'userId', 3],
  ])('%s: a list of more than one page comes back in pages', async (url, key, total) => {
    const { first, second } = await pages(url);
    expect(first.total).toBe(total);
    expect(first.items).toHaveLength(2);
    expect(first.nextOffset).toBe(2);
    expect(second.items).toHaveLength(total - 2);
    expect(second.nextOffset).toBeNull();
    const all = [...ids(first, key), ...ids(second, key)];
    expect(new Set(all).size).toBe(total);
  });

  it('/snapshots: the publish history comes back in pages, newest first', async () => {
    const { services } = setup.app;
    for (const label of ['Second', 'Third']) {
      await services.transfer.importDraft(tenant.system, sampleDocument(label), { publish: true });
    }
    const total = (await services.publishing.history(tenant.system)).length;
    expect(total).toBeGreaterThan(2);
    const { first, second } = await pages('/snapshots');
    expect(first.total).toBe(total);
    expect(first.nextOffset).toBe(2);
    const versions = [...ids(first, 'version'), ...ids(second, 'version')] as number[];
    expect(versions).toEqual([...versions].sort((a, b) => b - a));
    expect(versions[0]).toBe(total);
  });

  it('refuses a page size beyond the bound with a 400', async () => {
    const response = await setup.app.server.inject({
      url: '/api/v1/documents?limit=201',
      headers: { authorization: tenant.authorization },
    });
    expect(response.statusCode).toBe(400);
  });
});
