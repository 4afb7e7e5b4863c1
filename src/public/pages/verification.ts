import type { ControlStatus } from '../../modules/content/content.contract.js';
import {
  type EvidenceCheckKey,
  evidenceChecks,
  type FailingChecks,
} from '../../modules/evidence/evidence.contract.js';
import {
  controlEvidenceOf,
  type PublishedCategory,
  type PublishedControl,
} from '../../modules/publishing/snapshot.contract.js';

/** A control whose evidence does not hold now: what every public format shows in place of its status. */
export interface FailingVerification {
  /** The earliest time one of its failing checks began failing (ISO). */
  since: string;
  checks: { check: EvidenceCheckKey; title: string; failingSince: string }[];
}

/**
 * Whether the evidence of a published control holds. A control claimed implemented that names a
 * check failing now is shown as "verification failing since …" until the check passes again or an
 * editor changes the claim: publishes another status, or takes the check off the control.
 * Controls not claimed implemented say themselves that the measure is not (fully) in place.
 */
export function failingVerification(
  control: PublishedControl,
  failing: FailingChecks | undefined,
): FailingVerification | null {
  if (!failing || control.status !== 'implemented') return null;
  const checks = controlEvidenceOf(control).flatMap((check) => {
    const failingSince = failing[check];
    return failingSince ? [{ check, title: evidenceChecks[check].title, failingSince }] : [];
  });
  if (checks.length === 0) return null;
  const since = checks.map((check) => check.failingSince).sort()[0] ?? checks[0]?.failingSince ?? '';
  return { since, checks };
}

/** "2026-12-03 13:45 UTC" */
export function sinceLabel(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export const VERIFICATION_FAILING = 'Verification failing';

/** How many published controls show "verification failing" now. */
export function countFailingVerification(
  categories: readonly PublishedCategory[],
  failing: FailingChecks | undefined,
): number {
  if (!failing) return 0;
  return categories.reduce(
    (total, category) =>
      total + category.controls.filter((control) => failingVerification(control, failing)).length,
    0,
  );
}

/**
 * The counts the security page and its Markdown show: a control shown as "verification failing"
 * is counted there, not among the implemented (the JSON's statusCounts count what was published).
 */
export function shownCounts(
  counts: Record<ControlStatus, number>,
  categories: readonly PublishedCategory[],
  failing: FailingChecks | undefined,
): { counts: Record<ControlStatus, number>; unverified: number } {
  const unverified = countFailingVerification(categories, failing);
  return { counts: { ...counts, implemented: counts.implemented - unverified }, unverified };
}
