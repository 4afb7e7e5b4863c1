import {
  type EvidenceCheckKey,
  type EvidenceList,
  type EvidenceResult,
  type EvidenceStatus,
  evidenceCheckKeys,
  evidenceChecks,
} from '@attest/modules/evidence/evidence.contract.js';
import type { Control } from '../../api/types.js';

/** One check on the Live evidence screen: its latest result (if it ran) and the controls it backs. */
export interface EvidenceRow {
  check: EvidenceCheckKey;
  title: string;
  checks: string;
  result: EvidenceResult | undefined;
  controls: Pick<Control, 'id' | 'title'>[];
}

export const statusText: Record<EvidenceStatus, string> = {
  pass: 'Passing',
  fail: 'Failing',
  error: 'Error',
  not_applicable: 'Not applicable',
};

export const statusTone = {
  pass: 'success',
  fail: 'danger',
  error: 'warning',
  not_applicable: 'neutral',
} as const;

/**
 * Every check that has a result or that a control names, in the contract's order. A check a
 * control names but that has not run yet is listed too, so an editor sees it is waiting.
 */
export function evidenceRows(list: EvidenceList, controls: readonly Control[]): EvidenceRow[] {
  const results = new Map(list.items.map((item) => [item.check, item]));
  return evidenceCheckKeys
    .map((check) => ({
      check,
      title: results.get(check)?.title ?? evidenceChecks[check].title,
      checks: results.get(check)?.checks ?? evidenceChecks[check].checks,
      result: results.get(check),
      controls: controls
        .filter((control) => control.evidence.includes(check))
        .map((control) => ({ id: control.id, title: control.title })),
    }))
    .filter((row) => row.result || row.controls.length > 0);
}

/** "9 passing, 1 failing": the outcome of a run in words. */
export function outcomeSentence(list: EvidenceList): string {
  const counts = new Map<EvidenceStatus, number>();
  for (const item of list.items) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
  return (['pass', 'fail', 'error', 'not_applicable'] as const)
    .filter((status) => counts.get(status))
    .map((status) => `${counts.get(status)} ${statusText[status].toLowerCase()}`)
    .join(', ');
}

/** A check that fails now, with since when and the controls it backs. */
export type FailingRow = EvidenceRow & { result: EvidenceResult & { failingSince: string } };

/**
 * The checks failing now (a failure, or a check that could not run), longest-failing first: while
 * they fail, the published controls they back show "verification failing" to visitors.
 */
export function failingRows(list: EvidenceList, controls: readonly Control[]): FailingRow[] {
  return evidenceRows(list, controls)
    .filter((row): row is FailingRow => Boolean(row.result?.failingSince))
    .sort((a, b) => a.result.failingSince.localeCompare(b.result.failingSince));
}
