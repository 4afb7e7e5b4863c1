import { createRequire } from 'node:module';
import { Marked, type Tokens } from 'marked';
import type SanitizeHtml from 'sanitize-html';
import { LibraryLoadError } from '../../platform/lazy-import.js';
import { escapeHtml } from '../../platform/text/html.js';
import { markdownShapeProblem } from './markdown-limits.js';

/*
 * Update posts are written in Markdown and shown as HTML on the public site and in the feeds.
 * Two layers keep tenant text from becoming markup: marked renders any raw HTML in the source as
 * visible text (it never passes through), and sanitize-html then keeps an allow-list of tags and
 * attributes, http(s)/mailto links only, each link with rel="nofollow noopener noreferrer".
 */

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(token.text);
    },
    // Images would load third-party content into the trust center (and the CSP blocks them anyway).
    image(token: Tokens.Image): string {
      return escapeHtml(token.text || token.title || '');
    },
  },
});

/**
 * sanitize-html (with its HTML and CSS parsers, ~15MB once loaded) on the first post rendered, not
 * at start. It is CommonJS, so a synchronous require keeps rendering synchronous.
 */
let sanitizer: { sanitize: typeof SanitizeHtml; policy: SanitizeHtml.IOptions } | undefined;
function sanitize(html: string): string {
  if (!sanitizer) {
    let sanitizeHtml: typeof SanitizeHtml;
    try {
      sanitizeHtml = createRequire(import.meta.url)('sanitize-html') as typeof SanitizeHtml;
    } catch (error) {
      throw new LibraryLoadError('sanitize-html', error);
    }
    sanitizer = { sanitize: sanitizeHtml, policy: policyOf(sanitizeHtml) };
  }
  return sanitizer.sanitize(html, sanitizer.policy);
}

const policyOf = (sanitizeHtml: typeof SanitizeHtml): SanitizeHtml.IOptions => ({
  allowedTags: [
    'p',
    'br',
    'hr',
    'h3',
    'h4',
    'h5',
    'h6',
    'strong',
    'em',
    'del',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'a',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'], th: ['align'], td: ['align'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    // The page has one h1 and the post's title is an h2: the body's headings start below them.
    h1: 'h3',
    h2: 'h3',
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }),
  },
});

/** A 20,000-character body renders to well under this; anything more is a shape to refuse. */
const MAX_RENDERED_CHARS = 1_000_000;

/** The body as plain paragraphs, for one the renderer should not or cannot take. */
function asText(markdown: string): string {
  return markdown
    .split(/(?:\r\n|\r|\n){2,}/)
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
    .join('\n');
}

/**
 * Sanitised HTML of a post body. Bodies are checked against the Markdown limits when written; one
 * stored before those limits (or that the renderer still fails on) is shown as text, so a single
 * post can neither stall the process nor take its page and feeds down.
 */
export function renderUpdateBody(markdown: string): string {
  if (markdownShapeProblem(markdown)) return asText(markdown);
  let rendered: string;
  try {
    rendered = marked.parse(markdown, { async: false }) as string;
  } catch {
    return asText(markdown);
  }
  // A last guard for shapes the limits do not know: HTML far larger than its source is not kept.
  if (rendered.length > MAX_RENDERED_CHARS) return asText(markdown);
  return sanitize(rendered).trim();
}
