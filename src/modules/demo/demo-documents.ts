import { lazyImport } from '../../platform/lazy-import.js';

/** pdf-lib only when the demo is seeded (once per data directory), not in every server. */
const pdfLib = lazyImport('pdf-lib', () => import('pdf-lib'));

/**
 * The demo's public document: a short security overview of the Attest platform, generated as a
 * PDF at seed time (nothing binary in the repository). It is uploaded like any other document, so
 * it is stored encrypted and the "Documents encrypted at rest" check has a file to read back.
 */
export const demoOverview = {
  title: 'Attest security overview',
  description:
    'How the platform keeps trust centers apart, protects credentials and documents, and handles personal data: a two-page summary of the controls on the security page.',
  filename: 'attest-security-overview.pdf',
  paragraphs: [
    [
      'Tenant isolation',
      'Every table that holds a trust center’s data carries its tenant id, and PostgreSQL row-level security is enabled and forced on each of them. The application connects through a role that can neither bypass those policies nor act as a superuser, and every request runs in a transaction bound to exactly one tenant.',
    ],
    [
      'Sign-in and tokens',
      'People sign in through a backend-for-frontend: the browser holds only an HttpOnly, Secure session cookie. Each API call is made with a token signed with Ed25519 that lives at most five minutes. API keys carry scopes and an expiry, can be rotated with an overlap and revoked at once.',
    ],
    [
      'Documents',
      'Files are encrypted with AES-256-GCM before they are stored, under a data key per trust center that is itself sealed by the installation’s master key. Gated documents are released only after the visitor accepts the NDA and the request is approved; every download is logged and PDFs are watermarked.',
    ],
    [
      'Personal data',
      'Logs hold truncated network addresses and technical ids, not names or e-mail addresses. Sessions, invitations, unconfirmed subscriptions and the contents of sent mails are deleted or blanked when their retention period ends, and a trust center that is closed is deleted with all of its data.',
    ],
    [
      'Live evidence',
      'Where a machine can check a claim, the trust center shows the check’s latest result on its Live evidence page: the database’s isolation policies, the encryption of stored files, the audit log’s hash chain, retention, and more.',
    ],
  ] as const,
};

/** Wraps `text` to lines no wider than `width` points in `font` at `size`. */
function wrap(text: string, width: number, measure: (line: string) => number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if (measure(candidate) > width && line) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line) lines.push(line);
  return lines;
}

export async function demoOverviewPdf(): Promise<Buffer> {
  const { PDFDocument, StandardFonts } = await pdfLib();
  const pdf = await PDFDocument.create();
  pdf.setTitle(demoOverview.title);
  pdf.setProducer('Attest');
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const [pageWidth, pageHeight, margin] = [595, 842, 56];
  let page = pdf.addPage([pageWidth, pageHeight]);
  let y = pageHeight - margin;
  page.drawText(demoOverview.title, { x: margin, y, size: 20, font: bold });
  y -= 36;
  for (const [heading, body] of demoOverview.paragraphs) {
    // The standard fonts cover WinAnsi only: typographic apostrophes become plain ones.
    const lines = wrap(body.replaceAll('’', "'"), pageWidth - 2 * margin, (text) =>
      regular.widthOfTextAtSize(text, 11),
    );
    if (y - 22 - lines.length * 15 < margin) {
      page = pdf.addPage([pageWidth, pageHeight]);
      y = pageHeight - margin;
    }
    page.drawText(heading, { x: margin, y, size: 13, font: bold });
    y -= 20;
    for (const line of lines) {
      page.drawText(line, { x: margin, y, size: 11, font: regular });
      y -= 15;
    }
    y -= 12;
  }
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}
