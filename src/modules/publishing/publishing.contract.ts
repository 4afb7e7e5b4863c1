import { z } from 'zod';

/** One published version in the history (the API's answer, and the console's type). */
export const snapshotSummaryResponse = z
  .object({
    version: z.number().int().min(1),
    publishedAt: z.iso.datetime(),
    publishedBy: z.string().describe('The actor, as kind:id.'),
    contentSha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .meta({ id: 'SnapshotSummary' });

/** What the console's publish screen lists: the draft's changes against the latest snapshot. */
export const changeSections = ['profile', 'category', 'control', 'faq', 'subprocessor'] as const;

export const draftChange = z.object({
  kind: z.enum(['added', 'removed', 'changed']),
  section: z.enum(changeSections),
  key: z.string(),
  title: z.string(),
});
export type DraftChange = z.infer<typeof draftChange>;

export const draftChangesResponse = z
  .object({
    publishedVersion: z.number().int().min(1).nullable(),
    changes: z.array(draftChange),
  })
  .meta({ id: 'DraftChanges', description: 'What publishing the draft now would change, item by item.' });

export const previewPages = ['overview', 'security', 'subprocessors', 'faq'] as const;
export type PreviewPage = (typeof previewPages)[number];

export const draftPreviewResponse = z
  .object({ page: z.enum(previewPages), html: z.string() })
  .meta({ id: 'DraftPreview', description: 'The draft rendered as the public page will be once published.' });
