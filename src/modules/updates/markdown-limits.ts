/*
 * Limits on the shape of a post's Markdown, checked before it is rendered. Some shapes make a
 * Markdown renderer do far more work, or write far more HTML, than the text's length suggests:
 * - a GFM table, whose every row is padded to the header's width (a 1,000-column header over
 *   2,000 short lines renders 20 MB of HTML in seconds), also inside quotes and lists;
 * - quotes and lists nested deeply ("> > > …", "1. 1. 1. …"), which the renderer descends
 *   recursively until the stack runs out;
 * - thousands of emphasis marks (*, _, ~) in one paragraph, which it pairs in quadratic time;
 * - a long link reference destination used many times, each use a copy in the HTML.
 * No real update needs any of them, so a body past these limits is refused when it is written,
 * and one that is somehow stored is shown as text. This module has no dependencies: the
 * console's form checks the same limits as you type.
 */

/** Table cells (columns × rows, the header row included) in one post. */
export const MAX_TABLE_CELLS = 5_000;
/** Quotes and list items inside each other. */
export const MAX_NESTING = 16;
/** Emphasis marks (*, _ and ~) in one paragraph. */
export const MAX_EMPHASIS_MARKS = 500;
/** Characters of a link reference definition's destination ("[name]: <destination>"). */
export const MAX_REFERENCE_DESTINATION = 500;

const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const DELIMITER_ROW = /^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
/** One container marker at the start of a line: a quote, a bullet, or an ordered-list number. */
const CONTAINER_MARKER = /^[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))/;
const REFERENCE_DEFINITION = /^[ \t]{0,3}\[[^\]]{1,999}\]:[ \t]*<?(\S+)/;
const EMPHASIS_MARK = /[*_~]/g;

/** The line without the quote and list markers it starts with, and how many there were. */
function withoutContainers(line: string): { rest: string; depth: number } {
  if (THEMATIC_BREAK.test(line)) return { rest: '', depth: 0 }; // "- - -" is a rule, not three lists
  let depth = 0;
  let rest = line;
  for (;;) {
    const marker = CONTAINER_MARKER.exec(rest);
    if (!marker || depth > MAX_NESTING) return { rest, depth };
    depth += 1;
    rest = rest.slice(marker[0].length);
  }
}

function columnsOf(delimiterRow: string): number {
  const trimmed = delimiterRow.trim().replace(/^\|/, '').replace(/\|$/, '');
  return trimmed.split('|').length;
}

/** Cells of every table: a delimiter row under a header, one of them with a pipe, then its rows. */
function tableCells(contents: readonly string[]): number {
  let cells = 0;
  for (let index = 1; index < contents.length; index += 1) {
    const line = contents[index] ?? '';
    const header = contents[index - 1] ?? '';
    if (!line.includes('-') || !DELIMITER_ROW.test(line)) continue;
    if (!line.includes('|') && !header.includes('|')) continue; // a setext heading or a rule
    const columns = columnsOf(line);
    let rows = 2; // the header row and the delimiter row itself
    while (index + 1 < contents.length && (contents[index + 1] ?? '').trim() !== '') {
      index += 1;
      rows += 1;
    }
    cells += columns * rows;
  }
  return cells;
}

function mostEmphasisMarksInAParagraph(contents: readonly string[]): number {
  let most = 0;
  let paragraph = 0;
  for (const line of contents) {
    if (line.trim() === '') {
      paragraph = 0;
      continue;
    }
    paragraph += line.match(EMPHASIS_MARK)?.length ?? 0;
    most = Math.max(most, paragraph);
  }
  return most;
}

/** Why a body is past the limits, or null when it is within them. */
export function markdownShapeProblem(markdown: string): string | null {
  const lines = markdown.split(/\r\n|\r|\n/).map(withoutContainers);
  if (lines.some((line) => line.depth > MAX_NESTING)) {
    return `nests quotes or lists more than ${MAX_NESTING} deep`;
  }
  const contents = lines.map((line) => line.rest);
  if (tableCells(contents) > MAX_TABLE_CELLS) {
    return `has tables with more than ${MAX_TABLE_CELLS.toLocaleString('en-GB')} cells`;
  }
  if (mostEmphasisMarksInAParagraph(contents) > MAX_EMPHASIS_MARKS) {
    return `has more than ${MAX_EMPHASIS_MARKS.toLocaleString('en-GB')} emphasis marks (*, _ or ~) in one paragraph`;
  }
  if (
    contents.some((line) => (REFERENCE_DEFINITION.exec(line)?.[1]?.length ?? 0) > MAX_REFERENCE_DESTINATION)
  ) {
    return `has a link reference longer than ${MAX_REFERENCE_DESTINATION} characters`;
  }
  return null;
}
