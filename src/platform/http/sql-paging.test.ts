import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { multipart, samplePdf } from '../../../test/support/documents.js';
import { documentsApp, publishedTenant } from '../../../test/support/documents-app.js';
import { sampleDocument } from '../../../test/support/fixtures.js';

/**
 * Lists that grow (documents, downloads, members, invitations, API keys, snapshots, update posts,
 * incidents, notices, subprocessor changes) are paged in SQL: each page is one `limit/offset` read
 * plus a count, in the `{ items, total, nextOffset }` shape.
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
      await services.posts.create(tenant.system, { kind: 'general', title: `Draft ${n}` });
      await services.incidents.create(tenant.system, {
        title: `Outage ${n}`,
        detectedAt: new Date(Date.now() - n * 3_600_000).toISOString(),
      });
      // Each announcement also publishes a post and records a notice for its subscribers.
      await services.subprocessorChanges.announce(tenant.system, {
        kind: 'add',
        subprocessor: {
          key: `paging-${n}`,
          name: `Paging Vendor ${n}`,
          legalEntity: `Paging Vendor ${n} Ltd`,
          purpose: 'Hosting',
          dataProcessed: 'Account data',
          location: 'Ireland',
          transferSafeguards: 'None needed (EU)',
          website: `https://vendor${n}.example`,
        },
        effectiveOn: new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10),
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

  /*
   * The updates lists, newest first with an id tiebreak: two pages of two are the first four of
   * the whole list, and the whole list is in the documented order.
   */
  it.each([
    ['/updates', 'createdAt'],
    ['/incidents', 'detectedAt'],
    ['/notices', 'createdAt'],
    ['/subprocessor-changes', 'announcedAt'],
  ])('%s: a list of more than one page comes back in pages, newest first', async (url, date) => {
    const everything = await setup.app.server.inject({
      url: `/api/v1${url}?limit=200`,
      headers: { authorization: tenant.authorization },
    });
    expect(everything.statusCode, everything.body).toBe(200);
    const all = everything.json() as PageBody;
    expect(all.total).toBeGreaterThanOrEqual(3);
    expect(all.items).toHaveLength(all.total);
    expect(all.nextOffset).toBeNull();
    const dates = all.items.map((item) => Date.parse(item[date] as string));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));

    const { first, second } = await pages(url);
    expect(first.total).toBe(all.total);
    expect(first.items).toHaveLength(2);
    expect(first.nextOffset).toBe(2);
    expect(second.items).toHaveLength(Math.min(2, all.total - 2));
    expect(second.nextOffset).toBe(all.total > 4 ? 4 : null);
    expect([...ids(first, 'id'), ...ids(second, 'id')]).toEqual(ids(all, 'id').slice(0, 4));
  });

  it.each(['/documents', '/updates', '/incidents', '/notices', '/subprocessor-changes'])(
    '%s refuses a page size beyond the bound with a 400',
    async (url) => {
      for (const limit of ['201', '0']) {
        const response = await setup.app.server.inject({
          url: `/api/v1${url}?limit=${limit}`,
          headers: { authorization: tenant.authorization },
        });
        expect(response.statusCode, `${url}?limit=${limit}`).toBe(400);
      }
    },
  );
});
