import { type ErrorSpec, registerErrorCodes } from '../../platform/errors.js';

/** The documents module's error codes: the HTTP status and the message people see for each. */
export const documentsErrors = registerErrorCodes({
  'document.not_found': { status: 404, message: 'Not found.' },
  'document.file_required': { status: 400, message: 'Attach the file to upload.' },
  'document.empty_file': { status: 422, message: 'The file is empty.' },
  'document.bad_filename': { status: 400, message: 'The file name is not acceptable.' },
  'document.type_not_allowed': {
    status: 415,
    message: 'This kind of file is not accepted: upload PDF, DOCX, XLSX, PNG, JPEG, plain text or Markdown.',
  },
  'document.type_mismatch': { status: 422, message: "The file's content does not match its extension." },
  'document.pdf_unreadable': {
    status: 422,
    message:
      'This PDF cannot be watermarked for download (it is encrypted, damaged or incomplete). Save it again as an ordinary PDF and upload that.',
  },
  // The visitor's request is fine and trying again will not help: the stored file is at fault, a
  // server-side condition, hence a 500, but a known one that says what happened (see
  // visitor-downloads.service.ts). Never served without the watermark instead.
  'document.watermark_failed': {
    status: 500,
    message:
      'This document cannot be prepared for download with your watermark. The trust center team can replace the file; contact them.',
  },
  'access_request.not_found': { status: 404, message: 'Not found.' },
  'access_request.already_decided': { status: 409, message: 'This request has already been decided.' },
  'access_request.invalid': { status: 400, message: 'Check the highlighted fields and try again.' },
  'access_request.nda_outdated': {
    status: 409,
    message: 'The confidentiality agreement has changed since the page was loaded. Read it again.',
  },
  'grant.not_found': { status: 404, message: 'Not found.' },
  'grant.ended': { status: 409, message: 'This access has ended; it cannot be changed any more.' },
  'grant.link_invalid': { status: 404, message: 'This link is not valid any more.' },
  'visitor.access_required': {
    status: 403,
    message: 'This document is shared on request. Request access, or open the link from your e-mail.',
  },
} as const satisfies Record<string, ErrorSpec>);

declare module '../../platform/errors.js' {
  interface ErrorCodes extends Record<keyof typeof documentsErrors, ErrorSpec> {}
}
