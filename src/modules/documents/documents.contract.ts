import { z } from 'zod';
import { isoDate, line, patchOf, prose } from '../../platform/validation/strings.js';

/*
 * The shapes of documents, shared by the service, the API and the admin UI. Bounds mirror the
 * database checks. Uploads are multipart/form-data: the metadata fields plus one `file` part.
 * The value lists live here rather than in the table definitions, so the console bundles them
 * without the database layer.
 */

export const documentCategories = ['certification_report', 'pentest', 'policy', 'legal', 'other'] as const;
export const accessLevels = ['public', 'gated', 'private'] as const;

export const documentCategory = z.enum(documentCategories);
export const accessLevel = z.enum(accessLevels);

/** An empty form field means "no expiry". */
const expiresOn = z
  .union([
    isoDate,
    z
      .string()
      .max(0)
      .transform(() => null),
    z.null(),
  ])
  .default(null)
  .describe('The last day the document is valid (e.g. a report valid for a year), or null.');

export const documentInput = z.object({
  title: line(200),
  description: prose(2000).default(''),
  category: documentCategory.default('other'),
  accessLevel: accessLevel
    .default('gated')
    .describe('public: anyone may download; gated: after an approved access request; private: staff only.'),
  expiresOn,
});
export type DocumentInput = z.input<typeof documentInput>;

export const documentPatch = patchOf(documentInput);
export type DocumentPatch = z.input<typeof documentPatch>;

/** One uploaded file as the multipart parser hands it over. */
export const uploadedFile = z
  .object({
    filename: z.string().max(1000),
    data: z.any().refine((value) => Buffer.isBuffer(value), 'must be a file part'),
  })
  .describe('The file, as a multipart/form-data part named "file".');
export interface UploadedFile {
  filename: string;
  data: Buffer;
}

export const createDocumentBody = documentInput.extend({ file: uploadedFile });
export const newVersionBody = z.object({ file: uploadedFile });

export const documentVersion = z
  .object({
    id: z.uuid(),
    version: z.number().int().min(1),
    filename: z.string(),
    mediaType: z.string(),
    sizeBytes: z.number().int(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    uploadedBy: z.string(),
    uploadedAt: z.iso.datetime(),
  })
  .meta({ id: 'DocumentVersion' });
export type DocumentVersionOutput = z.infer<typeof documentVersion>;

export const documentOutput = z
  .object({
    id: z.uuid(),
    title: z.string(),
    description: z.string(),
    category: documentCategory,
    accessLevel,
    expiresOn: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    currentVersion: documentVersion.nullable(),
  })
  .meta({ id: 'Document' });
export type DocumentOutput = z.infer<typeof documentOutput>;

export const documentDetail = documentOutput
  .extend({ versions: z.array(documentVersion) })
  .meta({ id: 'DocumentDetail' });
export type DocumentDetail = z.infer<typeof documentDetail>;

export const downloadOutput = z
  .object({
    id: z.uuid(),
    documentId: z.uuid(),
    versionId: z.uuid(),
    version: z.number().int(),
    grantId: z.uuid().nullable(),
    actor: z.object({ kind: z.string(), id: z.string() }),
    watermarked: z.boolean(),
    client: z.string().nullable(),
    downloadedAt: z.iso.datetime(),
  })
  .meta({ id: 'DocumentDownload' });
export type DownloadOutput = z.infer<typeof downloadOutput>;

export const fileQuery = z.object({
  version: z.coerce.number().int().min(1).max(1_000_000).optional().describe('Default: the current version.'),
});
