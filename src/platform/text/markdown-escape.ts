/*
 * Plain text made safe inside Markdown: for the public site's Markdown pages and for the announcements
 * and mails the modules write in Markdown. Below every layer, so both escape alike.
 */

/** Characters that open inline syntax anywhere in a line (emphasis, code, links, HTML, tables). */
const inlineSyntax = /[\\`*_[\]<>#|~]/g;
/** An entity such as &lt; would be decoded by the renderer; a literal "&" stays readable. */
const entityStart = /&(?=#?[A-Za-z0-9]+;)/g;
/** Block syntax only counts at the start of a line: lists, block quotes, setext underlines. */
const orderedListStart = /^(\d{1,9})([.)])/;
const blockStart = /^([-+=:])/;

/**
 * Escapes one line of plain text. Whitespace, line breaks included, collapses to single spaces
 * first: a line break inside a paragraph could otherwise start a list or heading on the next line.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(inlineSyntax, '\\$&')
    .replace(entityStart, '\\&')
    .replace(orderedListStart, '$1\\$2')
    .replace(blockStart, '\\$1');
}
