import { sizeLabel } from '@attest/modules/documents/file-labels.js';
import { useState } from 'react';
import { z } from 'zod';
import { ApiError, type UploadProgress as UploadProgressValue, upload } from '../../api/client.js';
import { Field } from '../../ui/fields.js';
import type { Form } from '../../ui/use-form.js';
import { ACCEPTED_FILES, fileProblem } from './documents-queries.js';

/** The file of an upload form, checked as soon as it is chosen with the rules the API applies. */
export const chosenFile = z
  .custom<File | undefined>((value) => value instanceof File, 'Choose a file to upload.')
  .superRefine((file, ctx) => {
    const problem = fileProblem(file);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((file) => file as File);

/** Codes that are about the file itself: shown next to the file field rather than only above the form. */
const FILE_CODES = new Set(['request.too_large', 'request.unsupported_media_type']);

/**
 * The API's refusal of an upload, with the file's problems moved to the file field: a 413 (too
 * large), 415 (a type not on the list) or 422 (content and extension disagree, a PDF that cannot
 * be watermarked) is about the file, not the form.
 */
export function fileRefusal(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  const aboutFile =
    FILE_CODES.has(error.code) || (error.code.startsWith('document.') && error.code !== 'document.not_found');
  if (!aboutFile) return error;
  const message =
    error.status === 413 ? 'The file is larger than this server accepts for an upload.' : error.message;
  return new ApiError(
    error.status,
    error.code,
    'The file was not accepted.',
    [{ path: 'file', message }],
    error.requestId,
  );
}

/**
 * What an upload form needs besides its fields: sending the file with its progress, the API's
 * refusals moved to the file field, and a key that empties the browser's file input afterwards.
 */
export function useFileUpload() {
  const [progress, setProgress] = useState<UploadProgressValue | null>(null);
  const [inputKey, setInputKey] = useState(0);
  return {
    progress,
    inputKey,
    async send<T>(path: string, body: FormData): Promise<T> {
      setProgress(null);
      try {
        return await upload<T>('POST', path, body, setProgress);
      } catch (error) {
        throw fileRefusal(error);
      }
    },
    /** Empties the file input once the upload is done. */
    clearInput: () => setInputKey((key) => key + 1),
  };
}

export function FileField<Values extends { file?: File | undefined }>({
  form,
  idPrefix,
  label = 'File',
  inputKey,
}: {
  form: Form<Values>;
  idPrefix: string;
  label?: string;
  /** Changes after a successful upload, so the browser's file input is emptied too. */
  inputKey: number;
}) {
  const file = form.values.file;
  return (
    <Field
      id={`${idPrefix}-file`}
      path="file"
      label={label}
      required
      hint="PDF, Word (DOCX), Excel (XLSX), PNG, JPEG, plain text or Markdown. PDFs shared on request are watermarked for each visitor."
      error={form.error('file')}
    >
      {(aria) => (
        <>
          <input
            {...aria}
            key={inputKey}
            className="input"
            name="file"
            type="file"
            accept={ACCEPTED_FILES}
            onChange={(event) => form.set('file', (event.target.files?.[0] ?? undefined) as Values['file'])}
          />
          {file && (
            <p className="muted">
              {file.name}, {sizeLabel(file.size)}
            </p>
          )}
        </>
      )}
    </Field>
  );
}

/** What is being sent while an upload runs; the live region stays mounted so it is announced. */
/**
 * While an upload runs: the file, and a progress bar of the bytes sent. The status line is
 * announced once; the bar's value is for the eye and for those who go and look at it.
 */
export function UploadProgress({
  active,
  file,
  progress,
}: {
  active: boolean;
  file: File | undefined;
  progress: UploadProgressValue | null;
}) {
  const share = progress && progress.total > 0 ? Math.min(1, progress.sent / progress.total) : 0;
  const sentAll = progress !== null && share >= 1;
  return (
    <div className="upload-progress">
      <p role="status" className="upload-progress-status">
        {/* The form forgets the file once the server has it: nothing is uploading any more. */}
        {active && file && (
          <>
            <span className="spinner" aria-hidden="true" /> Uploading {file.name} ({sizeLabel(file.size)})…
          </>
        )}
      </p>
      {active && file && progress && (
        <p className="upload-progress-bar">
          <progress max={100} value={Math.round(share * 100)} aria-label={`Upload of ${file.name}`} />{' '}
          {sentAll
            ? 'Sent; the server is checking and encrypting it.'
            : `${Math.round(share * 100)}% of ${sizeLabel(progress.total)}`}
        </p>
      )}
    </div>
  );
}
