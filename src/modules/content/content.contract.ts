import { z } from 'zod';
import { httpUrl, isoDate, itemKey, line, prose } from '../../platform/validation/strings.js';
import { controlEvidence } from '../evidence/evidence.contract.js';
import { documentKnowledgeBase } from '../knowledge-base/knowledge-base.contract.js';

/*
 * The shapes of trust-center content, shared by the services, the import/export format, the API
 * and (later) the admin UI. Bounds mirror the database checks.
 */

export const controlStatuses = ['implemented', 'in_progress', 'planned', 'not_applicable'] as const;
export const controlStatus = z.enum(controlStatuses);
export type ControlStatus = z.infer<typeof controlStatus>;

export const frameworkReference = z.object({
  framework: line(60),
  reference: line(60),
});

export const profileInput = z.object({
  companyName: line(200),
  tagline: line(300, 0).default(''),
  intro: prose(5000).default(''),
  securityContact: line(320, 0).default(''),
});
export type ProfileInput = z.infer<typeof profileInput>;

export const categoryInput = z.object({
  key: itemKey,
  name: line(120),
  description: prose(2000).default(''),
});
export type CategoryInput = z.infer<typeof categoryInput>;

/** A path in the source repository, like `deploy/kubernetes/base/network-policies.yaml`: relative, no `..`. */
const repositoryPath =
  /^(?!.*(?:^|\/)\.\.?(?:\/|$|#))[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*\/?(?:#[A-Za-z0-9_.-]{1,80})?$/;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Where a public artifact is: an http(s) URL, or a path in the trust center's source repository. */
export const artifactHref = z
  .string()
  .trim()
  .min(1)
  .max(2048)
  .refine(
    (value) => (value.length <= 300 && repositoryPath.test(value)) || isHttpUrl(value),
    'must be an http(s) URL or a path in the repository, like docs/operations.md',
  );

/** A public artifact that backs a control: a manifest, a document in the repository, a test. */
export const controlArtifact = z.object({ title: line(160), href: artifactHref });
export type ControlArtifact = z.infer<typeof controlArtifact>;

/** The company's own word for a control: what it states, who attested it and on which day. */
export const controlAttestation = z.object({
  statement: prose(1000, 1),
  attestedBy: line(160),
  attestedOn: isoDate,
});
export type ControlAttestation = z.infer<typeof controlAttestation>;

export const controlDocuments = z
  .array(z.uuid())
  .max(10)
  .refine((ids) => new Set(ids).size === ids.length, 'each document at most once');

export const controlArtifacts = z.array(controlArtifact).max(20);

export const controlInput = z.object({
  key: itemKey,
  title: line(160),
  description: prose(4000).default(''),
  status: controlStatus.default('implemented'),
  lastReviewedOn: isoDate.nullable().default(null),
  reviewIntervalDays: z.number().int().min(1).max(3660).default(365),
  frameworks: z.array(frameworkReference).max(30).default([]),
  /** The live-evidence checks that back this control (src/modules/evidence/evidence.contract.ts). */
  evidence: controlEvidence,
  /** The tenant's documents (policies, reports) that prove the control, by id (decision 0031). */
  documents: controlDocuments.default([]),
  /** Public artifacts: links, or paths in the source repository. */
  artifacts: controlArtifacts.default([]),
  /** The company's own statement, when nothing else backs the control (or in addition). */
  attestation: controlAttestation.nullable().default(null),
});
export type ControlInput = z.infer<typeof controlInput>;

/**
 * A control in a trust-center document. Its evidence is there only when it has some (an export
 * writes none for a control without), so files of trust centers that use no live evidence read
 * exactly as before; a missing list means no evidence.
 */
export const documentControl = controlInput.extend({
  evidence: controlEvidence.unwrap().optional(),
  documents: controlDocuments.optional(),
  artifacts: controlArtifacts.optional(),
  attestation: controlAttestation.optional(),
});

export const faqInput = z.object({
  key: itemKey,
  question: line(300),
  answer: prose(5000, 1),
});
export type FaqInput = z.infer<typeof faqInput>;

export const subprocessorInput = z.object({
  key: itemKey,
  name: line(160),
  legalEntity: line(300, 0).default(''),
  purpose: prose(1000).default(''),
  dataProcessed: prose(1000).default(''),
  location: line(200, 0).default(''),
  transferSafeguards: prose(1000).default(''),
  website: httpUrl.nullable().default(null),
});
export type SubprocessorInput = z.infer<typeof subprocessorInput>;

function uniqueKeys<T extends { key: string }>(items: T[], context: z.RefinementCtx, where: string) {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.key)) {
      context.addIssue({
        code: 'custom',
        path: [index, 'key'],
        message: `duplicate key "${item.key}" in ${where}`,
      });
    }
    seen.add(item.key);
  });
}

/** A whole trust center as one document: the `attest content export/import` file format. */
export const trustCenterDocument = z
  .object({
    version: z.literal(1),
    profile: profileInput,
    categories: z
      .array(categoryInput.extend({ controls: z.array(documentControl).max(500).default([]) }))
      .max(50)
      .superRefine((categories, context) => {
        uniqueKeys(categories, context, 'categories');
        uniqueKeys(
          categories.flatMap((category) => category.controls),
          context,
          'controls',
        );
      }),
    faq: z
      .array(faqInput)
      .max(200)
      .default([])
      .superRefine((items, context) => uniqueKeys(items, context, 'faq')),
    subprocessors: z
      .array(subprocessorInput)
      .max(200)
      .default([])
      .superRefine((items, context) => uniqueKeys(items, context, 'subprocessors')),
    /**
     * Question-and-answer entries for questionnaires. Absent (every file written before it
     * existed, and exports of a tenant without entries) leaves the knowledge base as it is; a list,
     * even an empty one, replaces it.
     */
    knowledgeBase: documentKnowledgeBase.optional(),
  })
  .strict();
export type TrustCenterDocument = z.infer<typeof trustCenterDocument>;
