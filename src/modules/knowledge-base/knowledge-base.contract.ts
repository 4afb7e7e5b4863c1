import { z } from 'zod';
import { isoDate, itemKey, line, prose } from '../../platform/validation/strings.js';

/*
 * The shapes of the knowledge base, shared by the service, the API, the trust-center file and
 * (later) the console. Bounds mirror the database checks of migration 0025.
 */

export const visibilities = ['public', 'nda', 'internal'] as const;
/** Who may see an entry: anyone, visitors with an NDA grant, or the tenant's own people only. */
export const visibility = z.enum(visibilities);
export type Visibility = z.infer<typeof visibility>;

export const shortAnswers = ['yes', 'no', 'not_applicable'] as const;
export const shortAnswer = z.enum(shortAnswers);
export type ShortAnswer = z.infer<typeof shortAnswer>;

export const referenceKinds = ['control', 'faq', 'document'] as const;

/** What an entry rests on: a control or FAQ entry by its key, a document by its id. */
export const entryReference = z.object({
  kind: z.enum(referenceKinds),
  key: z
    .string()
    .trim()
    .min(1)
    .max(80)
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a key or a document id'),
});
export type EntryReference = z.infer<typeof entryReference>;

export const knowledgeEntryInput = z.object({
  key: itemKey,
  question: line(500),
  answer: prose(5000, 1),
  shortAnswer: shortAnswer.nullable().default(null),
  owner: line(200, 0).default(''),
  lastReviewedOn: isoDate.nullable().default(null),
  reviewIntervalDays: z.number().int().min(1).max(3660).default(365),
  references: z.array(entryReference).max(30).default([]),
  visibility: visibility.default('internal'),
});
export type KnowledgeEntryInput = z.infer<typeof knowledgeEntryInput>;

export const knowledgeEntryResponse = knowledgeEntryInput.extend({
  id: z.uuid(),
  updatedAt: z.string(),
});
export type KnowledgeEntry = z.infer<typeof knowledgeEntryResponse>;

/**
 * Most entries a tenant may hold: every answers request ranks them all, and at this size a
 * 300-question batch still takes seconds on the embedded database (bench/questionnaire).
 */
export const MAX_KNOWLEDGE_ENTRIES = 2000;

/** The knowledge base in a trust-center file: absent (older files) means none. */
export const documentKnowledgeBase = z
  .array(knowledgeEntryInput)
  .max(MAX_KNOWLEDGE_ENTRIES)
  .superRefine((items, context) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      if (seen.has(item.key)) {
        context.addIssue({
          code: 'custom',
          path: [index, 'key'],
          message: `duplicate key "${item.key}" in knowledgeBase`,
        });
      }
      seen.add(item.key);
    });
  });

/** Questionnaire questions to answer: one batch, as a workbook holds them. */
export const answersInput = z.object({
  questions: z.array(line(1000)).min(1).max(300),
  /** How many proposals per question, best first. */
  limit: z.number().int().min(1).max(5).default(3),
});
export type AnswersInput = z.infer<typeof answersInput>;

export const sourceKinds = ['knowledge_base', 'control', 'faq'] as const;
export type SourceKind = (typeof sourceKinds)[number];

export const proposalSource = z.object({
  kind: z.enum(sourceKinds),
  key: z.string(),
  /** The entry's question, the control's title or the FAQ entry's question. */
  title: z.string(),
  visibility,
});

export const proposal = z.object({
  /** The cited entry's own text: never written by Attest. */
  text: z.string(),
  shortAnswer: shortAnswer.nullable(),
  /** 0 to 1: how closely the cited entry matches the question. */
  confidence: z.number().min(0).max(1),
  /** Visibility of the answer as a whole: the narrowest of its sources. */
  visibility,
  sources: z.array(proposalSource),
  /** What a knowledge-base entry rests on, as its author recorded it. */
  references: z.array(entryReference),
});
export type Proposal = z.infer<typeof proposal>;

export const answersResponse = z.object({
  answers: z.array(z.object({ question: z.string(), proposals: z.array(proposal) })),
  /** The published snapshot the controls and FAQ were read from, or null when none is published. */
  snapshotVersion: z.number().int().nullable(),
});
export type AnswersResponse = z.infer<typeof answersResponse>;
