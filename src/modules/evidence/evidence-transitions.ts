import { eq } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.js';
import { enqueueMail } from '../../platform/mail/outbox.js';
import { readOwnTenant } from '../tenants/tenants.service.js';
import { type EvidenceCheckKey, evidenceChecks, isFailingStatus } from './evidence.contract.js';
import { checkFailingMail, checkRecoveredMail } from './evidence.mails.js';
import { evidenceResults } from './evidence.schema.js';

export type ResultRow = typeof evidenceResults.$inferInsert & { checkKey: EvidenceCheckKey };
export type StoredRow = typeof evidenceResults.$inferSelect;

/** Who is told of a transition and what it affects: read outside the transaction, when one is found. */
export interface TransitionAudience {
  recipients: readonly string[];
  /** The titles of the published controls the check backs. */
  controls: readonly string[];
  consoleUrl: string;
}

export type Transition = 'failing' | 'recovered';

export type RecordOutcome =
  | { kind: 'stored'; row: StoredRow; transition: Transition | null; mailed: number }
  /** A transition was found and nobody to tell is known yet: nothing was written; call again with them. */
  | { kind: 'needs-audience' };

/**
 * Stores a check's latest result and decides, under the row's lock, whether it begins or ends a
 * failing episode. Two workers recording results of the same check serialize on that lock, so
 * only one of them sees the transition; its mails are queued in the same transaction (they go out
 * only if it commits) with a key per episode and recipient (a second enqueue stores nothing).
 * A result older than the stored one (a slow run finishing after a later one) is not kept.
 */
export async function recordResult(
  tx: Tx,
  row: ResultRow,
  audience: TransitionAudience | undefined,
): Promise<RecordOutcome> {
  const nowFailing = isFailingStatus(row.status);
  const lock = async () =>
    (
      await tx.select().from(evidenceResults).where(eq(evidenceResults.checkKey, row.checkKey)).for('update')
    )[0];
  let current = await lock();
  if (!current) {
    // A first result that fails starts an episode: it is mailed like any other.
    if (nowFailing && !audience) return { kind: 'needs-audience' };
    const [inserted] = await tx
      .insert(evidenceResults)
      .values({ ...row, failingSince: nowFailing ? row.checkedAt : null })
      .onConflictDoNothing()
      .returning();
    if (inserted) {
      const transition = nowFailing ? 'failing' : null;
      return {
        kind: 'stored',
        row: inserted,
        transition,
        mailed: await mail(tx, inserted, transition, audience),
      };
    }
    // Another run inserted the first result meanwhile: take its row's lock and go on from there.
    current = await lock();
    if (!current) throw new Error('evidence result vanished under its lock');
  }
  if (current.checkedAt > row.checkedAt) return { kind: 'stored', row: current, transition: null, mailed: 0 };
  const wasFailing = current.failingSince !== null;
  const transition: Transition | null =
    !wasFailing && nowFailing ? 'failing' : wasFailing && !nowFailing ? 'recovered' : null;
  if (transition && !audience) return { kind: 'needs-audience' };
  const [updated] = await tx
    .update(evidenceResults)
    .set({
      status: row.status,
      summary: row.summary,
      facts: row.facts,
      checkedAt: row.checkedAt,
      durationMs: row.durationMs,
      failingSince: nowFailing ? (current.failingSince ?? row.checkedAt) : null,
    })
    .where(eq(evidenceResults.checkKey, row.checkKey))
    .returning();
  if (!updated) throw new Error('evidence result vanished under its lock');
  // The recovery mail names the episode that ended, by the start the failing mail named.
  const episode = transition === 'recovered' ? { ...updated, failingSince: current.failingSince } : updated;
  return { kind: 'stored', row: updated, transition, mailed: await mail(tx, episode, transition, audience) };
}

async function mail(
  tx: Tx,
  row: StoredRow,
  transition: Transition | null,
  audience: TransitionAudience | undefined,
): Promise<number> {
  if (!transition || !audience || !row.failingSince || audience.recipients.length === 0) return 0;
  const tenant = await readOwnTenant(tx);
  const key = row.checkKey as EvidenceCheckKey;
  const input = {
    trustCenter: tenant?.name ?? 'Attest',
    check: key,
    title: evidenceChecks[key].title,
    summary: row.summary,
    status: row.status,
    failingSince: row.failingSince,
    checkedAt: row.checkedAt,
    controls: audience.controls,
    consoleUrl: audience.consoleUrl,
  };
  let queued = 0;
  for (const to of audience.recipients) {
    const message = transition === 'failing' ? checkFailingMail(input, to) : checkRecoveredMail(input, to);
    if (await enqueueMail(tx, row.tenantId, message, row.checkedAt)) queued += 1;
  }
  return queued;
}
