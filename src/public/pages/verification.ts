import type { ControlStatus } from '../../modules/content/content.contract.js';
import {
  type EvidenceCheckKey,
  evidenceChecks,
  type FailingChecks,
} from '../../modules/evidence/evidence.contract.js';
import {
  type HostCheckEvidence,
  type HostCheckKind,
  hostCheckKindLabels,
} from '../../modules/host-checks/host-checks.contract.js';
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
  /** The tenant's failing host checks that name the control, by name and kind (never the target). */
  hostChecks: { name: string; kind: HostCheckKind; label: string; failingSince: string }[];
}

/** What is live beside the snapshot (PageContext carries both). */
export interface LiveEvidence {
  failing?: FailingChecks;
  hostChecks?: readonly HostCheckEvidence[];
}

/** "Host check: TLS endpoint — Portal": how every format names a host check. */
export function hostCheckLabel(check: { kind: HostCheckKind; name: string }): string {
  return `Host check: ${hostCheckKindLabels[check.kind]} \u2014 ${check.name}`;
}

/** The host checks that back a published control, in the order they were added. */
export function hostChecksOf(
  control: PublishedControl,
  live: LiveEvidence | undefined,
): readonly HostCheckEvidence[] {
  return live?.hostChecks?.filter((check) => check.controls.includes(control.key)) ?? [];
}

export const hostCheckStatusLabels: Record<HostCheckEvidence['status'], string> = {
  pass: 'Passing',
  fail: 'Failing',
  error: 'Could not run',
  pending: 'Not run yet',
};

/**
 * Whether the evidence of a published control holds. A control claimed implemented that names a
 * check failing now is shown as "verification failing since …" until the check passes again or an
 * editor changes the claim: publishes another status, or takes the check off the control.
 * Controls not claimed implemented say themselves that the measure is not (fully) in place.
 */
export function failingVerification(
  control: PublishedControl,
  live: LiveEvidence | undefined,
): FailingVerification | null {
  if (!live || control.status !== 'implemented') return null;
  const failing = live.failing ?? {};
  const checks = controlEvidenceOf(control).flatMap((check) => {
    const failingSince = failing[check];
    return failingSince ? [{ check, title: evidenceChecks[check].title, failingSince }] : [];
  });
  const hostChecks = hostChecksOf(control, live).flatMap((check) =>
    check.failingSince
      ? [
          {
            name: check.name,
            kind: check.kind,
            label: hostCheckLabel(check),
            failingSince: check.failingSince,
          },
        ]
      : [],
  );
  if (checks.length === 0 && hostChecks.length === 0) return null;
  const since = [...checks, ...hostChecks].map((check) => check.failingSince).sort()[0] ?? '';
  return { since, checks, hostChecks };
}

/** "2026-12-03 13:45 UTC" */
export function sinceLabel(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export const VERIFICATION_FAILING = 'Verification failing';

/** How many published controls show "verification failing" now. */
export function countFailingVerification(
  categories: readonly PublishedCategory[],
  live: LiveEvidence | undefined,
): number {
  if (!live) return 0;
  return categories.reduce(
    (total, category) =>
      total + category.controls.filter((control) => failingVerification(control, live)).length,
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
  live: LiveEvidence | undefined,
): { counts: Record<ControlStatus, number>; unverified: number } {
  const unverified = countFailingVerification(categories, live);
  return { counts: { ...counts, implemented: counts.implemented - unverified }, unverified };
}
