import type { ControlStatus, FaqInput, SubprocessorInput } from '../content/content.contract.js';
import type { EvidenceCheckKey } from '../evidence/evidence.contract.js';

/**
 * What a published snapshot holds: only fields meant for the public. Every public output (HTML,
 * JSON, Markdown) is rendered from this and nothing else, so a draft can never leak.
 */
export interface SnapshotContent {
  schemaVersion: 1;
  tenant: { slug: string; name: string };
  profile: { companyName: string; tagline: string; intro: string; securityContact: string };
  categories: PublishedCategory[];
  faq: FaqInput[];
  subprocessors: SubprocessorInput[];
  /** Published update posts, newest first (absent in snapshots taken before updates existed). */
  updates?: PublishedUpdate[];
  /** Announced subprocessor changes that are not in effect yet, soonest first. */
  subprocessorChanges?: PublishedSubprocessorChange[];
  /** Public and gated documents (metadata only), absent when there are none or in older snapshots. */
  documents?: PublishedDocument[];
  /** The NDA a visitor accepts when requesting gated documents, absent when the tenant has none. */
  nda?: PublishedNda;
  /**
   * Certifications, each bound to a published document that proves it; absent when there are
   * none. Whether one has expired is judged when a page is rendered, not here.
   */
  certifications?: PublishedCertification[];
  /** Public knowledge-base entries ("Search our answers"), absent when there are none. */
  answers?: PublishedAnswer[];
}

export interface PublishedCertification {
  id: string;
  name: string;
  auditor: string;
  scope: string;
  validFrom: string;
  validUntil: string;
  /** The report's document (in `documents`) and the SHA-256 of the file bound to the certification. */
  documentId: string;
  documentSha256: string;
}

export interface PublishedAnswer {
  key: string;
  question: string;
  answer: string;
  shortAnswer: 'yes' | 'no' | 'not_applicable' | null;
}

export interface PublishedDocument {
  id: string;
  title: string;
  description: string;
  category: 'certification_report' | 'pentest' | 'policy' | 'legal' | 'other';
  accessLevel: 'public' | 'gated';
  expiresOn: string | null;
  /** The version visitors download (the newest when the snapshot was taken). */
  versionId: string;
  version: number;
  filename: string;
  mediaType: string;
  sizeBytes: number;
  updatedAt: string;
}

export interface PublishedNda {
  version: number;
  text: string;
  sha256: string;
}

export interface PublishedUpdate {
  id: string;
  kind: 'incident' | 'subprocessor' | 'certification' | 'policy' | 'advisory' | 'general';
  title: string;
  /** Markdown as the author wrote it; every public view renders and sanitises it. */
  body: string;
  publishedAt: string;
}

export interface PublishedSubprocessorChange {
  id: string;
  kind: 'add' | 'replace' | 'remove';
  /** The subprocessor that goes (replace, remove). */
  subprocessorKey: string | null;
  /** The subprocessor that comes (add, replace). */
  subprocessor: SubprocessorInput | null;
  summary: string;
  effectiveOn: string;
  announcedOn: string;
}

export interface PublishedCategory {
  key: string;
  name: string;
  description: string;
  controls: PublishedControl[];
}

export interface PublishedControl {
  key: string;
  title: string;
  description: string;
  status: ControlStatus;
  lastReviewedOn: string | null;
  frameworks: { framework: string; reference: string }[];
  /**
   * The live-evidence checks that back the control; present only when there are some, so the
   * snapshots of trust centers without evidence (and every older snapshot) stay as they were.
   * Read it through controlEvidenceOf.
   */
  evidence?: EvidenceCheckKey[];
  /**
   * How else the control is evidenced (decision 0031), each present only when set: the documents
   * that prove it (ids; shown only when the snapshot publishes that document), public artifacts,
   * and the company's attested statement.
   */
  documents?: string[];
  artifacts?: PublishedArtifact[];
  attestation?: PublishedAttestation;
}

export interface PublishedArtifact {
  title: string;
  /** An http(s) URL, or a path in the trust center's source repository. */
  href: string;
}

export interface PublishedAttestation {
  statement: string;
  attestedBy: string;
  attestedOn: string;
}

/** A published control's evidence; [] for a control without any and for snapshots older than the field. */
export function controlEvidenceOf(control: PublishedControl): readonly EvidenceCheckKey[] {
  return control.evidence ?? [];
}

export interface Snapshot {
  version: number;
  publishedAt: Date;
  contentSha256: string;
  content: SnapshotContent;
}

export interface SnapshotSummary {
  version: number;
  publishedAt: Date;
  publishedBy: string;
  contentSha256: string;
}
