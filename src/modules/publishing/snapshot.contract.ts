import type { ControlStatus, FaqInput, SubprocessorInput } from '../content/content.contract.js';

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
