import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/support/app.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { systemContext } from '../../platform/auth/context.js';
import { tenantStatement } from '../../platform/db/tenancy.js';
import { createControlsService } from './controls.service.js';
import { createControlsListCache } from './controls-list-cache.js';
import { controlsPageStatement } from './controls-page.js';

type Listed = { items: { key: string; title: string }[]; total: number };

/**
 * The API's controls list is answered from a per-process copy while the tenant's content
 * revision has not moved (decision 0032). Whatever changes the content, through this process,
 * another one, or SQL run by an operator, the next list shows it.
 */
describe.each(testDatabaseKinds)('the cached controls list on $name', (kind) => {
  const holder = useTestApp(kind);
  let key = '';
  let tenantId = '';
  let otherTenantKey = '';

  const list = async (secret = key): Promise<Listed> => {
    const answer = await holder.app.server.inject({
      url: '/api/v1/controls',
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(answer.statusCode, answer.body).toBe(200);
    return answer.json();
  };
  const keys = (listed: Listed) => listed.items.map((control) => control.key);

  beforeAll(async () => {
    const { services } = holder.app;
    const tenant = await services.tenants.create({ slug: 'cached', name: 'Cached Ltd' });
    tenantId = tenant.id;
    const ctx = systemContext(tenantId);
    await services.transfer.importDraft(ctx, sampleDocument('CACHED'), { publish: false });
    key = (await services.apiKeys.create(ctx, { name: 'Reader', scopes: ['content:read'] })).secret;
    const other = await services.tenants.create({ slug: 'cached-other', name: 'Other Ltd' });
    await services.transfer.importDraft(systemContext(other.id), sampleDocument('OTHER'), { publish: false });
    otherTenantKey = (
      await services.apiKeys.create(systemContext(other.id), { name: 'Reader', scopes: ['content:read'] })
    ).secret;
  });

  it('shows an edit, a new control, a reorder and a deletion on the very next list', async () => {
    const { services } = holder.app;
    const ctx = systemContext(tenantId);
    const first = await list();
    expect(keys(first)).toEqual(['tls', 'backups']);
    expect(await list()).toEqual(first);

    const tls = (await services.controls.listControls(ctx)).find((control) => control.key === 'tls');
    await services.controls.updateControl(ctx, tls?.id ?? '', { title: 'TLS 1.3 only' });
    expect((await list()).items[0]?.title).toBe('TLS 1.3 only');

    const categoryId = tls?.categoryId ?? '';
    const people = await services.controls.createCategory(ctx, {
      key: 'people',
      name: 'People',
      description: '',
    });
    await services.controls.createControl(ctx, {
      categoryId: people.id,
      key: 'training',
      title: 'Training',
      description: 'Yearly',
      status: 'planned',
      lastReviewedOn: null,
      evidence: [],
      frameworks: [],
    });
    expect(keys(await list())).toEqual(['tls', 'backups', 'training']);

    // Only the categories' positions move: no control row changes, the order does.
    await services.controls.reorderCategories(ctx, [people.id, categoryId]);
    expect(keys(await list())).toEqual(['training', 'tls', 'backups']);

    const training = (await services.controls.listControls(ctx)).find(
      (control) => control.key === 'training',
    );
    await services.controls.deleteControl(ctx, training?.id ?? '');
    const after = await list();
    expect(keys(after)).toEqual(['tls', 'backups']);
    expect(after.total).toBe(2);
  });

  it("sees what another process or an operator's SQL changed, and never another tenant's list", async () => {
    const before = await list();
    // Another web process: its own cache over the same database.
    const elsewhere = createControlsService({ db: holder.app.db });
    const ctx = systemContext(tenantId);
    const backups = (await elsewhere.listControls(ctx)).find((control) => control.key === 'backups');
    await elsewhere.updateControl(ctx, backups?.id ?? '', { title: 'Hourly backups' });
    expect((await list()).items.find((control) => control.key === 'backups')?.title).toBe('Hourly backups');

    await holder.app.db.orm.execute(
      sql`update controls set title = 'Fixed by hand' where key = 'tls' and tenant_id = ${tenantId}`,
    );
    expect((await list()).items.find((control) => control.key === 'tls')?.title).toBe('Fixed by hand');

    // Same filters, same page, another tenant: its own list, not the cached one.
    const theirs = await list(otherTenantKey);
    expect(theirs.items.map((control) => control.title)).toEqual(['OTHER TLS everywhere', 'OTHER Backups']);
    expect(before.items).not.toEqual(theirs.items);
  });

  it('a list served from the copy costs a read of the revision, not the page', async () => {
    const service = createControlsService({ db: holder.app.db, listCache: createControlsListCache() });
    const ctx = systemContext(tenantId);
    const page = { limit: 100, offset: 0 };
    const [{ revision } = { revision: '' }] = await tenantStatement<{ revision: string }>(
      holder.app.db,
      tenantId,
      controlsPageStatement({}, page),
    );
    const unchanged = await tenantStatement<{ revision: string; items: string | null }>(
      holder.app.db,
      tenantId,
      controlsPageStatement({}, page, revision),
    );
    expect(unchanged).toEqual([expect.objectContaining({ revision, items: null })]);
    // The service answers the same list from its copy as from PostgreSQL.
    const fresh = await service.listControlsPage(ctx, {}, page);
    expect(await service.listControlsPage(ctx, {}, page)).toEqual(fresh);
    if (kind.name === 'postgres') {
      const [plan] = await tenantStatement<{ 'QUERY PLAN': unknown }>(
        holder.app.db,
        tenantId,
        `explain (analyze, format json) ${controlsPageStatement({}, page, revision)}`,
      );
      // Every scan of the controls is "never executed": no loops.
      const scans: { loops: number }[] = [];
      const walk = (node: Record<string, unknown>) => {
        if (node['Relation Name'] === 'controls') scans.push({ loops: Number(node['Actual Loops']) });
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
      };
      const root = ((plan?.['QUERY PLAN'] ?? []) as { Plan: Record<string, unknown> }[])[0]?.Plan ?? {};
      walk(root);
      expect(scans.length).toBeGreaterThan(0);
      expect(scans.every((scan) => scan.loops === 0)).toBe(true);
    }
  });
});
