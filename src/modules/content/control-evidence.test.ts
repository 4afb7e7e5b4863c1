import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { sampleDocument, seedTenant } from '../../../test/support/fixtures.js';
import type { Database } from '../../platform/db/client.js';
import { AppError } from '../../platform/errors.js';
import { diffSnapshotContent } from '../publishing/draft-changes.js';
import { toSnapshotContent } from '../publishing/publishing.service.js';
import type { TrustCenterDocument } from './content.contract.js';
import { formatTrustCenterFile, parseTrustCenterFile } from './transfer.service.js';

/** The sample document with live evidence on its first control. */
function withEvidence(label: string): TrustCenterDocument {
  const document = sampleDocument(label);
  const tls = document.categories[0]?.controls[0];
  if (!tls) throw new Error('fixture');
  tls.evidence = ['security-headers', 'tenant-isolation'];
  return document;
}

function issuePaths(source: string): string[] {
  try {
    parseTrustCenterFile(source);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).details.map((detail) => detail.path);
  }
  return expect.unreachable('the file was accepted');
}

describe('control evidence in trust-center files', () => {
  it('round-trips, and writes evidence only for controls that have some', () => {
    const document = withEvidence('Ev');
    const source = formatTrustCenterFile(document);
    expect(source).toContain('evidence:\n          - security-headers\n          - tenant-isolation');
    expect(source.match(/evidence:/g)).toHaveLength(1);
    expect(parseTrustCenterFile(source)).toEqual(document);
  });

  it('refuses an unknown check with the path to it', () => {
    const source = formatTrustCenterFile(withEvidence('Ev')).replace(
      '- tenant-isolation',
      '- tenant-isolation\n          - mind-reading',
    );
    expect(issuePaths(source)).toEqual(['categories.0.controls.0.evidence.2']);
  });

  it('refuses a check listed twice', () => {
    const source = formatTrustCenterFile(withEvidence('Ev')).replace(
      '- tenant-isolation',
      '- security-headers',
    );
    expect(issuePaths(source)).toEqual(['categories.0.controls.0.evidence']);
  });
});

describe('control evidence in the draft diff', () => {
  const tenant = { slug: 'ev', name: 'Ev' };

  it('notices a check added or removed', () => {
    const published = toSnapshotContent(tenant, sampleDocument('Ev'));
    const draft = toSnapshotContent(tenant, withEvidence('Ev'));
    const added = [{ kind: 'changed', section: 'control', key: 'tls', title: 'Ev TLS everywhere' }];
    expect(diffSnapshotContent(draft, published)).toEqual(added);
    expect(diffSnapshotContent(published, draft)).toEqual(added);
  });

  it('sees no change between an old snapshot and a draft without evidence', () => {
    const published = toSnapshotContent(tenant, sampleDocument('Ev'));
    const draft = toSnapshotContent(tenant, {
      ...sampleDocument('Ev'),
      categories: sampleDocument('Ev').categories.map((category) => ({
        ...category,
        controls: category.controls.map((control) => ({ ...control, evidence: [] })),
      })),
    });
    expect(published.categories[0]?.controls[0]).not.toHaveProperty('evidence');
    expect(diffSnapshotContent(draft, published)).toEqual([]);
  });
});

describe.each(testDatabaseKinds)('control evidence on $name', (kind) => {
  let db: Database;
  let seeded: Awaited<ReturnType<typeof seedTenant>>;

  beforeAll(async () => {
    db = await kind.create();
    seeded = await seedTenant(db, 'evidence');
  });
  afterAll(async () => db?.close());

  it('imports and exports evidence, and a file without it clears it', async () => {
    const { services, ctx } = seeded;
    await services.transfer.importDraft(ctx, withEvidence('EVIDENCE'));
    expect(await services.transfer.exportDraft(ctx)).toEqual(withEvidence('EVIDENCE'));
    const [tls, backups] = await services.controls.listControls(ctx);
    expect(tls?.evidence).toEqual(['security-headers', 'tenant-isolation']);
    expect(backups?.evidence).toEqual([]);

    await services.transfer.importDraft(ctx, sampleDocument('EVIDENCE'));
    expect(await services.transfer.exportDraft(ctx)).toEqual(sampleDocument('EVIDENCE'));
  });

  it('is edited through the controls service, validated with the contract', async () => {
    const { services, ctx } = seeded;
    const [tls] = await services.controls.listControls(ctx);
    if (!tls) throw new Error('fixture');
    const updated = await services.controls.updateControl(ctx, tls.id, { evidence: ['retention'] });
    expect(updated.evidence).toEqual(['retention']);
    // A patch that leaves evidence out keeps it.
    expect((await services.controls.updateControl(ctx, tls.id, { title: 'Renamed' })).evidence).toEqual([
      'retention',
    ]);
    await expect(
      services.controls.updateControl(ctx, tls.id, { evidence: ['nope'] as never }),
    ).rejects.toThrow();
    const created = await services.controls.createControl(ctx, {
      categoryId: tls.categoryId,
      key: 'created',
      title: 'Created',
      evidence: ['data-portability'],
    });
    expect((await services.controls.getControl(ctx, created.id)).evidence).toEqual(['data-portability']);
    await services.controls.deleteControl(ctx, created.id);
    await services.controls.updateControl(ctx, tls.id, { evidence: [] });
  });

  it('is published in the snapshot only on controls that have some', async () => {
    const { services, ctx } = seeded;
    await services.transfer.importDraft(ctx, withEvidence('EVIDENCE'), { publish: true });
    const latest = await services.publishing.latest(ctx);
    const [tls, backups] = latest?.content.categories[0]?.controls ?? [];
    expect(tls?.evidence).toEqual(['security-headers', 'tenant-isolation']);
    expect(backups).not.toHaveProperty('evidence');
    // Removing it publishes a new version without the field.
    const removed = await services.transfer.importDraft(ctx, sampleDocument('EVIDENCE'), { publish: true });
    expect(removed?.changed).toBe(true);
    expect((await services.publishing.latest(ctx))?.content.categories[0]?.controls[0]).not.toHaveProperty(
      'evidence',
    );
  });

  it('the database refuses a malformed list', async () => {
    for (const value of [
      "'{NULL}'",
      '\'{"Not A Key"}\'',
      `'{${Array.from({ length: 33 }, () => 'x').join(',')}}'`,
    ]) {
      await expect(
        db.runScript(`UPDATE controls SET evidence = ${value}::text[] WHERE key = 'tls'`),
      ).rejects.toThrow(/controls_evidence_bounded/);
    }
  });
});
