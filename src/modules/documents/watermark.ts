import { lazyImport } from '../../platform/lazy-import.js';

/** pdf-lib (~20MB once loaded) only when a PDF is uploaded or a gated one downloaded. */
const pdfLib = lazyImport('pdf-lib', () => import('pdf-lib'));

export interface WatermarkFacts {
  email: string;
  company: string;
  /** The day of the download, YYYY-MM-DD. */
  date: string;
  grantId: string;
}

/** Helvetica speaks WinAnsi only: anything else becomes "?" rather than failing the download. */
function winAnsi(text: string): string {
  return text.replace(/[^\x20-\x7e\xa0-\xff]/g, '?');
}

export function watermarkText(facts: WatermarkFacts): string {
  return winAnsi(`Shared with ${facts.email} (${facts.company}) on ${facts.date} - grant ${facts.grantId}`);
}

/** Who a trial watermark names: as long as a real one can be (the longest e-mail address and company). */
const TRIAL_FACTS: WatermarkFacts = {
  email: `${'a'.repeat(64)}@${'b'.repeat(185)}.example`,
  company: 'c'.repeat(200),
  date: '2000-01-01',
  grantId: '00000000-0000-4000-8000-000000000000',
};

/**
 * True when the file can be watermarked the way a gated download will be: the whole of
 * watermarkPdf (load, stamp every page, save), not just a load. pdf-lib opens some files it then
 * cannot stamp or save (no page tree, a broken catalog), and an encrypted file does not open at
 * all; accepting those at upload would only move the failure to a visitor's download.
 */
export async function canWatermark(bytes: Buffer): Promise<boolean> {
  // Outside the try: a library that does not load is our failure, not a file to refuse.
  await pdfLib();
  try {
    await watermarkPdf(bytes, TRIAL_FACTS);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stamps every page with who received the copy: a faint diagonal line across the middle and a
 * small line along the bottom edge, both naming the visitor's e-mail, company, the date and the
 * grant. A leaked copy then says where it came from. The same text goes into the document's
 * Subject so tools that read metadata see it too.
 */
export async function watermarkPdf(bytes: Buffer, facts: WatermarkFacts): Promise<Buffer> {
  const { degrees, PDFDocument, rgb, StandardFonts } = await pdfLib();
  const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const text = watermarkText(facts);
  for (const page of pdf.getPages()) {
    const { width, height } = page.getSize();
    const diagonal = Math.hypot(width, height);
    const size = Math.max(8, Math.min(28, (diagonal * 0.8) / Math.max(1, font.widthOfTextAtSize(text, 1))));
    const angle = Math.atan2(height, width);
    const textWidth = font.widthOfTextAtSize(text, size);
    page.drawText(text, {
      x: width / 2 - (Math.cos(angle) * textWidth) / 2,
      y: height / 2 - (Math.sin(angle) * textWidth) / 2,
      size,
      font,
      color: rgb(0.5, 0.5, 0.5),
      opacity: 0.18,
      rotate: degrees((angle * 180) / Math.PI),
    });
    const footerSize = Math.max(5, Math.min(8, (width - 24) / Math.max(1, font.widthOfTextAtSize(text, 1))));
    page.drawText(text, { x: 12, y: 8, size: footerSize, font, color: rgb(0.35, 0.35, 0.35), opacity: 0.8 });
  }
  pdf.setSubject(text);
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}
