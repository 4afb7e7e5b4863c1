import type { ServiceContext } from '../../platform/auth/context.js';
import type { Tx } from '../../platform/db/client.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import type { AuditRecorder, TenantTransaction } from '../../platform/db/tenant-transaction.js';
import type { AuditAction } from '../audit/audit.contract.js';
import type { PublishingService } from '../publishing/publishing.service.js';

export type Republisher = Pick<PublishingService, 'republishIn' | 'notifyPublished'>;

/**
 * One tenant transaction for a change to what the documents page shows (a document, its access
 * level, the NDA) that also republishes the latest snapshot with the documents as they now are.
 * Only the documents section is refreshed this way: the draft of the other content stays unpublished.
 * Before the first publish there is nothing to republish and the change waits for it. Two changes
 * racing for the next snapshot number: the loser runs again.
 */
export function createRepublishing(run: TenantTransaction<AuditAction>, publishing: Republisher) {
  return async function change<T>(
    ctx: ServiceContext,
    work: (tx: Tx, audit: AuditRecorder<AuditAction>) => Promise<T>,
  ): Promise<T> {
    const { result, published } = await run(
      ctx,
      async (tx, audit) => {
        const result = await work(tx, audit);
        return { result, published: await publishing.republishIn(tx, ctx) };
      },
      { retry: { attempts: 3, when: isUniqueViolation } },
    );
    if (published?.changed) publishing.notifyPublished(ctx.tenantId, published.version);
    return result;
  };
}
