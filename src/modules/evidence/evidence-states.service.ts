import { inArray } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.js';
import type { SnapshotContent } from '../publishing/snapshot.contract.js';
import type { EvidenceCheckKey, EvidenceStatus } from './evidence.contract.js';
import { evidenceResults } from './evidence.schema.js';
import { evidenceInUse } from './evidence-in-use.js';

/** A check's latest outcome without its summary or facts: what a signed manifest records. */
export interface EvidenceState {
  check: EvidenceCheckKey;
  /** Null while the check has no result yet. */
  status: EvidenceStatus | null;
  checkedAt: Date | null;
}

/**
 * The latest status of every check the published `content` names, in the caller's tenant
 * transaction (the signed trust manifest is written in the publish's own transaction).
 */
export async function readEvidenceStates(tx: Tx, content: SnapshotContent): Promise<EvidenceState[]> {
  const keys = [...evidenceInUse(content).keys()];
  if (keys.length === 0) return [];
  const rows = await tx
    .select({
      check: evidenceResults.checkKey,
      status: evidenceResults.status,
      checkedAt: evidenceResults.checkedAt,
    })
    .from(evidenceResults)
    .where(inArray(evidenceResults.checkKey, keys));
  const byKey = new Map(rows.map((row) => [row.check, row]));
  return keys.map((check) => ({
    check,
    status: byKey.get(check)?.status ?? null,
    checkedAt: byKey.get(check)?.checkedAt ?? null,
  }));
}
