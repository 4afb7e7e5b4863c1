import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/support/app.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { systemContext } from '../../platform/auth/context.js';
import { toControlResponse } from './content.responses.js';

/**
 * The controls list is read and serialized by PostgreSQL (controls-page.ts): each item it answers
 * must be exactly what the one-item endpoint answers for that control, in list order, and the
 * filters must keep what they kept when the list was filtered in memory.
 */
describe.each(testDatabaseKinds)('the controls list read in SQL on $name', (kind) => {
  const holder = useTestApp(kind);
  let key = '';
  let infrastructure = '';
  let other = '';
  let tenantId = '';

  const get = async (url: string) => {
    const answer = await holder.app.server.inject({ url, headers: { authorization: `Bearer ${key}` } });
    expect(answer.statusCode, answer.body).toBe(200);
    return answer.json();
  };

  beforeAll(async () => {
    const { services } = holder.app;
    const tenant = await services.tenants.create({ slug: 'lean', name: 'Lean Ltd' });
    tenantId = tenant.id;
    const ctx = systemContext(tenant.id);
    await services.transfer.importDraft(ctx, sampleDocument('LEAN'), { publish: false });
    infrastructure = (await services.controls.listCategories(ctx))[0]?.id ?? '';
    other = (await services.controls.createCategory(ctx, { key: 'people', name: 'People', description: '' }))
      .id;
    await services.controls.createControl(ctx, {
      categoryId: other,
      key: 'training',
      title: 'Awareness TRAINING',
      description: 'Yearly, 100% of staff_members',
      status: 'planned',
      lastReviewedOn: '2026-02-28',
      evidence: ['security-headers', 'retention'],
      frameworks: [{ framework: 'SOC 2', reference: 'CC1.4' }],
    });
    // A check key that a later version no longer has stays in the row but is not answered.
    await holder.app.db.orm.execute(
      sql`update controls set evidence = '{retired-check,security-headers}' where key = 'tls'`,
    );
    // The categories' order decides before the controls' own: People first.
    await services.controls.reorderCategories(ctx, [other, infrastructure]);
    key = (await services.apiKeys.create(ctx, { name: 'Reader', scopes: ['content:read'] })).secret;
  });

  it('answers each control exactly as the one-item endpoint and the mapper of rows do, by category and position', async () => {
    const list = await get('/api/v1/controls');
    expect(list.items.map((control: { key: string }) => control.key)).toEqual(['training', 'tls', 'backups']);
    for (const item of list.items) {
      expect(item).toEqual(await get(`/api/v1/controls/${item.id}`));
      const mapped = toControlResponse(
        await holder.app.services.controls.getControl(systemContext(tenantId), item.id),
      );
      expect(item).toEqual(mapped);
    }
    const [training, tls, backups] = list.items;
    expect(training).toMatchObject({
      categoryId: other,
      position: 0,
      lastReviewedOn: '2026-02-28',
      evidence: ['security-headers', 'retention'],
      frameworks: [{ framework: 'SOC 2', reference: 'CC1.4' }],
    });
    expect(tls.evidence).toEqual(['security-headers']);
    expect(backups).toMatchObject({ lastReviewedOn: null, position: 1, categoryId: infrastructure });
    expect(training.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('filters by category, status and text (ignoring case, % and _ taken literally)', async () => {
    const keys = async (query: string) =>
      (await get(`/api/v1/controls?${query}`)).items.map((control: { key: string }) => control.key);
    expect(await keys(`categoryId=${infrastructure}`)).toEqual(['tls', 'backups']);
    expect(await keys('status=planned')).toEqual(['training']);
    expect(await keys('q=training')).toEqual(['training']);
    expect(await keys('q=tls%201.3')).toEqual(['tls']);
    expect(await keys('q=100%25')).toEqual(['training']);
    expect(await keys('q=staff_')).toEqual(['training']);
    expect(await keys('q=_')).toEqual(['training']);
    expect(await keys('q=%25%25')).toEqual([]);
    expect(await keys(`status=implemented&categoryId=${other}`)).toEqual([]);
    // A quote or backslash in the text is matched as text, never read as SQL.
    expect(await keys('q=%27%3B%20select%201%3B%20--')).toEqual([]);
    expect(await keys('q=%5C')).toEqual([]);
    const filtered = await get(`/api/v1/controls?categoryId=${infrastructure}&limit=1`);
    expect(filtered).toMatchObject({ total: 2, nextOffset: 1 });
  });
});
