import type {
  PublishedAttestation,
  PublishedControl,
  PublishedDocument,
  SnapshotContent,
} from '../../modules/publishing/snapshot.contract.js';
import { type EvidenceLink, evidenceLinks } from './evidence-links.js';
import { safeHttpUrl } from './presentation.js';

/*
 * How a published control is evidenced (decision 0031), for every public view alike: its live
 * checks, the published documents that prove it (linked to where a visitor gets them), public
 * artifacts and the company's attested statement. All of it from the snapshot alone.
 */

export interface ProofDocument {
  id: string;
  title: string;
  accessLevel: PublishedDocument['accessLevel'];
  /** A public document downloads directly; a gated one opens its entry and the request form. */
  url: string;
}

export interface ProofArtifact {
  title: string;
  /** An http(s) link, or null for a path in the source repository (shown as the path). */
  url: string | null;
  path: string | null;
}

export interface ControlProof {
  checks: EvidenceLink[];
  documents: ProofDocument[];
  artifacts: ProofArtifact[];
  attestation: PublishedAttestation | null;
}

/** Where a visitor gets a published document: its download, or its entry with the request form. */
export function documentAccessUrl(basePath: string, document: PublishedDocument): string {
  const base = basePath.replace(/\/+$/, '');
  return document.accessLevel === 'public'
    ? `${base}/documents/${document.id}/download`
    : `${base}/documents#document-${document.id}`;
}

export function controlProof(
  basePath: string,
  content: Pick<SnapshotContent, 'documents'>,
  control: PublishedControl,
): ControlProof {
  const published = new Map((content.documents ?? []).map((document) => [document.id, document]));
  const documents: ProofDocument[] = [];
  for (const id of control.documents ?? []) {
    const document = published.get(id);
    if (!document) continue;
    documents.push({
      id,
      title: document.title,
      accessLevel: document.accessLevel,
      url: documentAccessUrl(basePath, document),
    });
  }
  return {
    checks: evidenceLinks(basePath, control),
    documents,
    artifacts: (control.artifacts ?? []).map((artifact) => {
      const url = /^https?:/i.test(artifact.href) ? (safeHttpUrl(artifact.href)?.href ?? null) : null;
      return { title: artifact.title, url, path: url ? null : artifact.href };
    }),
    attestation: control.attestation ?? null,
  };
}

export function hasProof(proof: ControlProof): boolean {
  return (
    proof.checks.length > 0 ||
    proof.documents.length > 0 ||
    proof.artifacts.length > 0 ||
    proof.attestation !== null
  );
}
