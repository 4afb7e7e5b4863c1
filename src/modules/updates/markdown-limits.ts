/*
 * Limits on the shape of a post's Markdown, checked before it is rendered. Two shapes make a
 * Markdown renderer do far more work than the text's length suggests: a GFM table, whose every row
 * is padded to the header's width (a 1,000-column header over 2,000 short lines renders 20 MB of
 * HTML in seconds), and deeply nested quotes and lists ("> > > …", "1. 1. 1. …"), which the
 * renderer descends recursively until the stack runs out. No real update needs either, so a body
 * past these limits is refused when it is written, and one that is somehow stored is shown as text.
 * This module has no dependencies: the console's form checks the same limits as you type.
 */

/** Table cells (columns × rows, the header row included) in one post. */
export const MAX_TABLE_CELLS = 5_000;
/** Quotes and list items inside each other. */
export const MAX_NESTING = 16;

const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const DELIMITER_ROW = /^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
/** One container marker at the start of a line: a quote, a bullet, or an ordered-list number. */
const CONTAINER_MARKER = /^[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))/;

function columnsOf(delimiterRow: string): number {
  const trimmed = delimiterRow.trim().replace(/^\|/, '').replace(/\|$/, '');
  return trimmed.split('|').length;
}

function tableCells(lines: readonly string[]): number {
  let cells = 0;
  for (let index = 1; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (!line.includes('-') || !DELIMITER_ROW.test(line)) continue;
    const columns = columnsOf(line);
    let rows = 2; // the header row and the delimiter row itself
    while (index + 1 < lines.length && (lines[index + 1] ?? '').trim() !== '') {
      index += 1;
      rows += 1;
    }
    cells += columns * rows;
  }
  return cells;
}

function nestingOf(line: string): number {
  if (THEMATIC_BREAK.test(line)) return 0; // "- - -" is a rule, not three lists
  let depth = 0;
  let rest = line;
  for (;;) {
    const marker = CONTAINER_MARKER.exec(rest);
    if (!marker) return depth;
    depth += 1;
    if (depth > MAX_NESTING) return depth;
    rest = rest.slice(marker[0].length);
  }
}

/**
 * Why a body is past the limits, or null when it is within them. Indentation-only list nesting is
 * bounded by the body's length (each level costs more spaces than the last).
 */
export function markdownShapeProblem(markdown: string): string | null {
  const lines = markdown.split(/\r\n|\r|\n/);
  if (tableCells(lines) > MAX_TABLE_CELLS) {
    return `has tables with more than ${MAX_TABLE_CELLS.toLocaleString('en-GB')} cells`;
  }
  if (lines.some((line) => nestingOf(line) > MAX_NESTING)) {
    return `nests quotes or lists more than ${MAX_NESTING} deep`;
  }
  return null;
}
