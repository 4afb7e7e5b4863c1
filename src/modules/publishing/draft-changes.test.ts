import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/support/app.js';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument } from '../../../test/support/fixtures.js';
import { systemContext } from '../../platform/auth/context.js';
import { builtInRoles } from '../../platform/auth/roles.js';
import { API_PREFIX } from '../../platform/http/api-route.js';

describe.each(testDatabaseKinds)('draft changes and preview on $name', (kind) => {
  const holder = useTestApp(kind);
  let tenantId = '';

  async function get(url: string, permissions: readonly string[] = builtInRoles.editor.permissions) {
    const token = await holder.app.tokens.mint({
      subject: '00000000-0000-4000-8000-000000000001',
      tenantId,
      permissions: [...permissions] as never,
    });
    return holder.app.server.inject({
      url: `${API_PREFIX}${url}`,
      headers: { authorization: `Bearer ${token}` },
    });
  }

  beforeAll(async () => {
    const tenant = await holder.app.services.tenants.create({ slug: 'drafts', name: 'Drafts Ltd' });
    tenantId = tenant.id;
  });

  it('lists everything as added before the first publish, and nothing right after it', async () => {
    const ctx = systemContext(tenantId);
    await holder.app.services.transfer.importDraft(ctx, sampleDocument('D'));
    const before = await get('/draft/changes');
    expect(before.statusCode).toBe(200);
    const first = before.json<{
      publishedVersion: number | null;
      changes: { kind: string; section: string }[];
    }>();
    expect(first.publishedVersion).toBeNull();
    expect(first.changes).toContainEqual({
      kind: 'added',
      section: 'control',
      key: 'tls',
      title: 'D TLS everywhere',
    });
    expect(first.changes.filter((change) => change.kind !== 'added' && change.section !== 'profile')).toEqual(
      [],
    );

    await holder.app.services.publishing.publish(ctx);
    expect((await get('/draft/changes')).json()).toEqual({ publishedVersion: 1, changes: [] });
  });

  it('names added, removed, changed and moved items, and ignores draft-only fields', async () => {
    const ctx = systemContext(tenantId);
    const document = sampleDocument('D');
    const [category] = document.categories;
    if (!category) throw new Error('fixture');
    const [tls, backups] = category.controls;
    const [hoster] = document.subprocessors;
    if (!tls || !backups || !hoster) throw new Error('fixture');
    tls.title = 'D TLS 1.3 everywhere';
    backups.reviewIntervalDays = 30; // not public: no change
    category.controls = [backups, tls]; // reordered: both moved
    document.faq = [];
    document.subprocessors.push({ ...hoster, key: 'mailer', name: 'Mailer' });
    document.profile.tagline = 'New tagline';
    await holder.app.services.transfer.importDraft(ctx, document);

    const { changes } = (await get('/draft/changes')).json<{ changes: unknown[] }>();
    expect(changes).toEqual([
      { kind: 'changed', section: 'profile', key: 'tagline', title: 'Tagline' },
      { kind: 'changed', section: 'control', key: 'backups', title: 'D Backups' },
      { kind: 'changed', section: 'control', key: 'tls', title: 'D TLS 1.3 everywhere' },
      { kind: 'removed', section: 'faq', key: 'hosting', title: 'Where does D host data?' },
      { kind: 'added', section: 'subprocessor', key: 'mailer', title: 'Mailer' },
    ]);
  });

  it('renders the draft with the public renderer, and refuses callers without content:read', async () => {
    const response = await get('/draft/preview?page=security');
    expect(response.statusCode).toBe(200);
    const { html } = response.json<{ html: string }>();
    expect(html).toContain('D TLS 1.3 everywhere');
    expect(html).toContain('/assets/site.');
    expect(html).not.toMatch(/<script|style=/);
    expect((await get('/draft/preview?page=nope')).statusCode).toBe(400);
    expect((await get('/draft/changes', ['members:read'])).statusCode).toBe(403);
    expect((await get('/draft/preview', ['members:read'])).statusCode).toBe(403);
  });
});
