import type { App } from '../../src/app.js';
import type { EvidenceCheckKey } from '../../src/modules/evidence/evidence.contract.js';
import type { SnapshotContent } from '../../src/modules/publishing/snapshot.contract.js';
import type { ServiceContext } from '../../src/platform/auth/context.js';
import { withTenant } from '../../src/platform/db/tenancy.js';

/**
 * Publishes a snapshot whose first control names `keys` as its evidence, the way a control with an
 * `evidence` list will once the content model carries it (derived from the latest snapshot).
 */
export async function publishEvidence(app: App, ctx: ServiceContext, keys: readonly EvidenceCheckKey[]) {
  const addEvidence = (content: SnapshotContent): SnapshotContent => ({
    ...content,
    categories: content.categories.map((category, index) => ({
      ...category,
      controls: category.controls.map((control, position) =>
        index === 0 && position === 0 ? { ...control, evidence: [...keys] } : control,
      ),
    })),
  });
  const result = await withTenant(app.db, ctx.tenantId, (tx) =>
    app.services.publishing.republishIn(tx, ctx, addEvidence),
  );
  if (result?.changed) app.services.publishing.notifyPublished(ctx.tenantId, result.version);
  // The publish started a background run of the checks it names; a test that then changes what a
  // check sees must not race that run's writes.
  await app.evidenceSettled();
  return result;
}
