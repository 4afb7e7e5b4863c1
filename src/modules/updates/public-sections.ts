import { desc, isNotNull } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.js';
import type { PublishedSubprocessorChange, PublishedUpdate } from '../publishing/snapshot.contract.js';
import { scheduledChanges } from '../subprocessor-changes/subprocessor-changes.service.js';
import { updatePosts } from './updates.schema.js';

/** How many posts a snapshot carries (the newest); older ones stay in the database. */
export const PUBLISHED_UPDATES_LIMIT = 50;

/**
 * The public sections this feature adds to every snapshot: published posts, newest first, and
 * the announced subprocessor changes still to come. Fields are copied by name, so nothing
 * internal (incident links, drafts' timestamps) is published by accident.
 */
export async function readPublicSections(
  tx: Tx,
): Promise<{ updates: PublishedUpdate[]; subprocessorChanges: PublishedSubprocessorChange[] }> {
  const posts = await tx
    .select()
    .from(updatePosts)
    .where(isNotNull(updatePosts.publishedAt))
    .orderBy(desc(updatePosts.publishedAt), desc(updatePosts.id))
    .limit(PUBLISHED_UPDATES_LIMIT);
  const changes = await scheduledChanges(tx);
  return {
    updates: posts.map((post) => ({
      id: post.id,
      kind: post.kind,
      title: post.title,
      body: post.body,
      publishedAt: (post.publishedAt as Date).toISOString(),
    })),
    subprocessorChanges: changes.map((change) => ({
      id: change.id,
      kind: change.kind,
      subprocessorKey: change.subprocessorKey,
      subprocessor: change.subprocessor,
      summary: change.summary,
      effectiveOn: change.effectiveOn,
      announcedOn: change.announcedAt.toISOString().slice(0, 10),
    })),
  };
}
