import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument, seedTenant } from '../../../test/support/fixtures.js';
import { ServiceContext } from '../../platform/auth/context.js';
import type { Database } from '../../platform/db/client.js';
import { AppError } from '../../platform/errors.js';
import { formatTrustCenterFile, parseTrustCenterFile } from './transfer.service.js';

describe('trust center file parsing', () => {
  it('round-trips a document through YAML', () => {
    const document = sampleDocument('Round');
    expect(parseTrustCenterFile(formatTrustCenterFile(document))).toEqual(document);
  });

  it('names every problem with its path', () => {
    const source = formatTrustCenterFile(sampleDocument('Bad'))
      .replace('status: implemented', 'status: mostly-done')
      .replace('key: hosting', 'key: Hosting!');
    try {
      parseTrustCenterFile(source);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const paths = (error as AppError).details.map((detail) => detail.path);
      expect(paths).toContain('categories.0.controls.0.status');
      expect(paths).toContain('faq.0.key');
    }
  });

  it('refuses broken YAML, unknown fields, duplicate keys and alias bombs', () => {
    const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from({ length: 120 }, (_, index) => `k${index}: [*a,*a,*a,*a,*a,*a,*a,*a,*a]`).join('\n')}`;
    const duplicate = sampleDocument('Dup');
    duplicate.faq.push({ ...duplicate.faq[0], key: 'hosting' } as (typeof duplicate.faq)[number]);
    for (const source of [
      'version: 1\nprofile: [unclosed',
      `${formatTrustCenterFile(sampleDocument('X'))}\nextra: true\n`,
      formatTrustCenterFile(duplicate),
      bomb,
      'just a string',
      '',
    ]) {
      expect(() => parseTrustCenterFile(source)).toThrow(AppError);
    }
  });
});

describe.each(testDatabaseKinds)('trust center import and export on $name', (kind) => {
  let db: Database;
  let seeded: Awaited<ReturnType<typeof seedTenant>>;

  beforeAll(async () => {
    db = await kind.create();
    seeded = await seedTenant(db, 'importer');
  });
  afterAll(async () => db?.close());

  it('exports exactly what was imported, and keeps ids of items it updates', async () => {
    const { services, ctx } = seeded;
    expect(await services.transfer.exportDraft(ctx)).toEqual(sampleDocument('IMPORTER'));
    const [before] = await services.controls.listControls(ctx);
    const changed = sampleDocument('IMPORTER');
    const firstControl = changed.categories[0]?.controls[0];
    if (firstControl) firstControl.title = 'Renamed by import';
    await services.transfer.importDraft(ctx, changed);
    const [after] = await services.controls.listControls(ctx);
    expect(after?.id).toBe(before?.id);
    expect(after?.title).toBe('Renamed by import');
  });

  it('is all or nothing: a failure late in the import leaves the draft as it was', async () => {
    const { services, ctx } = seeded;
    const before = await services.transfer.exportDraft(ctx);
    // A trigger that rejects one subprocessor, which the import writes last.
    await db.runScript(`
      CREATE FUNCTION reject_marked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = 'Reject me' THEN RAISE EXCEPTION 'rejected by test trigger'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER reject_marked BEFORE INSERT ON subprocessors FOR EACH ROW EXECUTE FUNCTION reject_marked();`);
    try {
      const doomed = sampleDocument('DOOMED');
      doomed.subprocessors.push({
        ...(doomed.subprocessors[0] as (typeof doomed.subprocessors)[number]),
        key: 'reject',
        name: 'Reject me',
      });
      const failure = await services.transfer
        .importDraft(ctx, doomed, { publish: true })
        .catch((error: unknown) => error);
      const cause = (failure as { cause?: Error }).cause;
      expect(String(cause?.message ?? failure)).toContain('rejected by test trigger');
      expect(await services.transfer.exportDraft(ctx)).toEqual(before);
      expect((await services.publishing.history(ctx)).length).toBe(1);
    } finally {
      await db.runScript('DROP TRIGGER reject_marked ON subprocessors; DROP FUNCTION reject_marked();');
    }
  });

  it('publishes with the import when asked, and only when something changed', async () => {
    const { services, ctx } = seeded;
    const document = sampleDocument('NEXT');
    const first = await services.transfer.importDraft(ctx, document, { publish: true });
    expect(first).toEqual({ version: 2, changed: true });
    const again = await services.transfer.importDraft(ctx, document, { publish: true });
    expect(again).toEqual({ version: 2, changed: false });
    const latest = await services.publishing.latest(ctx);
    expect(latest?.content.categories[0]?.controls[0]?.title).toBe('NEXT TLS everywhere');
    // Old versions stay readable: what did we claim before?
    const first_version = await services.publishing.version(ctx, 1);
    expect(first_version.content.categories[0]?.controls[0]?.title).toBe('IMPORTER TLS everywhere');
    expect((await services.publishing.asOf(ctx, new Date())).version).toBe(2);
  });

  it('refuses an import or a publish without the permission, and changes nothing', async () => {
    const { services, ctx } = seeded;
    const reader = new ServiceContext(ctx.tenantId, { kind: 'user', id: 'reader' }, [
      'content:read',
      'content:write',
    ]);
    const before = await services.transfer.exportDraft(ctx);
    await expect(
      services.transfer.importDraft(reader, sampleDocument('NOPE'), { publish: true }),
    ).rejects.toMatchObject({
      code: 'auth.forbidden',
    });
    await expect(services.publishing.publish(reader)).rejects.toMatchObject({ code: 'auth.forbidden' });
    expect(await services.transfer.exportDraft(ctx)).toEqual(before);
  });

  it('removes items the file no longer names', async () => {
    const { services, ctx } = seeded;
    const smaller = sampleDocument('SMALL');
    smaller.faq = [];
    smaller.categories[0]?.controls.pop();
    await services.transfer.importDraft(ctx, smaller);
    expect(await services.faq.list(ctx)).toEqual([]);
    expect(await services.controls.listControls(ctx)).toHaveLength(1);
  });
});
