import type { ServiceContext } from '../../platform/auth/context.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { withTenant } from '../../platform/db/tenancy.js';
import type { PublishingService } from '../publishing/publishing.service.js';

export type Republisher = Pick<PublishingService, 'republishIn' | 'notifyPublished'>;

/**
 * One tenant transaction for a change to what the documents page shows (a document, its access
 * level, the NDA) that also republishes the latest snapshot with the documents as they now are.
 * Only the documents section is refreshed this way: the draft of the other content stays unpublished.
 * Before the first publish there is nothing to republish and the change waits for it. Two changes
 * racing for the next snapshot number: the loser runs again.
 */
export function createRepublishing(db: Database, publishing: Republisher) {
  return async function change<T>(ctx: ServiceContext, work: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { result, published } = await withTenant(db, ctx.tenantId, async (tx) => {
          const result = await work(tx);
          return { result, published: await publishing.republishIn(tx, ctx) };
        });
        if (published?.changed) publishing.notifyPublished(ctx.tenantId, published.version);
        return result;
      } catch (error) {
        if (attempt >= 3 || !isUniqueViolation(error)) throw error;
      }
    }
  };
}
