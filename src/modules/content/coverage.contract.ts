import { z } from 'zod';
import type { ControlArtifact, ControlAttestation, ControlStatus } from './content.contract.js';

/*
 * How an implemented control is evidenced, strongest first (decision 0031): a live machine check,
 * a document or public artifact, only the company's attested statement, or nothing at all. The
 * console shows the counts and flags every implemented control with nothing.
 */

export const evidenceLevels = ['machine', 'document_or_artifact', 'statement', 'none'] as const;
export type EvidenceLevel = (typeof evidenceLevels)[number];

export interface EvidencedControl {
  status: ControlStatus;
  evidence: readonly string[];
  documents: readonly string[];
  artifacts: readonly ControlArtifact[];
  attestation: ControlAttestation | null;
}

/** `documents` counts only those that still exist (a deleted document proves nothing). */
export function evidenceLevelOf(
  control: EvidencedControl,
  existingDocuments: ReadonlySet<string>,
): EvidenceLevel {
  if (control.evidence.length > 0) return 'machine';
  if (control.artifacts.length > 0 || control.documents.some((id) => existingDocuments.has(id)))
    return 'document_or_artifact';
  if (control.attestation) return 'statement';
  return 'none';
}

export const evidenceCoverageResponse = z
  .object({
    /** Controls marked implemented; the four counts below add up to it. */
    implemented: z.number().int().min(0),
    machine: z.number().int().min(0),
    documentOrArtifact: z.number().int().min(0),
    statement: z.number().int().min(0),
    none: z.number().int().min(0),
    /** The implemented controls with no evidence at all, in display order. */
    unevidenced: z.array(z.object({ id: z.uuid(), key: z.string(), title: z.string() })),
  })
  .meta({
    id: 'EvidenceCoverage',
    description:
      'How the implemented controls are evidenced: by a live check, a document or public artifact, only a statement, or nothing.',
  });
export type EvidenceCoverage = z.infer<typeof evidenceCoverageResponse>;

export function evidenceCoverage(
  controls: readonly (EvidencedControl & { id: string; key: string; title: string })[],
  existingDocuments: ReadonlySet<string>,
): EvidenceCoverage {
  const coverage: EvidenceCoverage = {
    implemented: 0,
    machine: 0,
    documentOrArtifact: 0,
    statement: 0,
    none: 0,
    unevidenced: [],
  };
  for (const control of controls) {
    if (control.status !== 'implemented') continue;
    coverage.implemented += 1;
    const level = evidenceLevelOf(control, existingDocuments);
    if (level === 'machine') coverage.machine += 1;
    else if (level === 'document_or_artifact') coverage.documentOrArtifact += 1;
    else if (level === 'statement') coverage.statement += 1;
    else {
      coverage.none += 1;
      coverage.unevidenced.push({ id: control.id, key: control.key, title: control.title });
    }
  }
  return coverage;
}
