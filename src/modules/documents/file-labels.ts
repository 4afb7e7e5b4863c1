/*
 * How a document's file is named to people: its kind and its size. One place for the public
 * pages and the console (this module has no dependencies, so the console bundles it as it is).
 */

const kindLabels: Record<string, { short: string; long: string }> = {
  'application/pdf': { short: 'PDF', long: 'PDF' },
  'image/png': { short: 'PNG', long: 'PNG image' },
  'image/jpeg': { short: 'JPEG', long: 'JPEG image' },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
    short: 'Word',
    long: 'Word document',
  },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
    short: 'Excel',
    long: 'Excel workbook',
  },
  'text/plain; charset=utf-8': { short: 'Text', long: 'Text' },
  'text/markdown; charset=utf-8': { short: 'Markdown', long: 'Markdown' },
};

/** "Word document" for visitors; `short` ("Word") where the console has a table cell for it. */
export function fileKindLabel(mediaType: string, form: 'short' | 'long' = 'long'): string {
  return kindLabels[mediaType]?.[form] ?? 'File';
}

export function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
