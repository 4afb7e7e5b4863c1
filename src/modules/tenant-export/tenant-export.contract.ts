import { z } from 'zod';
import { exportStates } from './tenant-export.schema.js';

export const exportView = z.object({
  id: z.uuid(),
  state: z.enum(exportStates),
  requestedBy: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** When the archive is removed if nobody downloads it. */
  expiresAt: z.string().nullable(),
  progress: z.object({
    filesDone: z.number().int(),
    filesTotal: z.number().int(),
    bytesDone: z.number().int(),
    /** 0 to 100, by files. */
    percent: z.number().int().min(0).max(100),
  }),
  sizeBytes: z.number().int().nullable(),
  sha256: z.string().nullable(),
  error: z.string().nullable(),
});
export type ExportView = z.infer<typeof exportView>;

export const exportLink = z.object({
  /** Relative to the API: GET it with the same credentials, once, before `expiresAt`. */
  url: z.string(),
  expiresAt: z.string(),
});

/** Optional here, so another tenant's id is a 404 before the token is looked at. */
export const downloadQuery = z.object({ token: z.string().trim().max(100).optional() });
