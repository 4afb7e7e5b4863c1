import type { FailingChecks } from '../../modules/evidence/evidence.contract.js';
import { evidenceInUse } from '../../modules/evidence/evidence-in-use.js';
import type { HostCheckEvidence } from '../../modules/host-checks/host-checks.contract.js';
import type { Snapshot } from '../../modules/publishing/snapshot.contract.js';
import { type HtmlValue, html, raw, type SafeHtml } from '../../platform/text/html.js';
import { type PageName, type PagePaths, pagePaths } from './paths.js';
import { documentTitle, paragraphs, publishedAtIso, publishedOn } from './presentation.js';

export interface PageContext {
  snapshot: Snapshot;
  /** '/t/demo' on the platform's host, '' on a tenant's custom domain. */
  basePath: string;
  /** Content-hashed stylesheet URL, e.g. '/assets/site.3f2a9c1b04.css'. */
  stylesheetHref: string;
  /** The trust center is closing: every page says so, since its forms take nothing new. */
  closing?: boolean;
  /** Live: since when each failing check the controls name has been failing (see verification.ts). */
  failing?: FailingChecks;
  /** Live: the tenant's host checks that name published controls, with their state (no targets). */
  hostChecks?: readonly HostCheckEvidence[];
  /** The day (UTC, YYYY-MM-DD) the page is served for: certification badges expire by it. Default: today. */
  today?: string;
}

const navigation: { page: PageName; label: string }[] = [
  { page: 'overview', label: 'Overview' },
  { page: 'security', label: 'Security' },
  { page: 'documents', label: 'Documents' },
  { page: 'subprocessors', label: 'Subprocessors' },
  { page: 'faq', label: 'FAQ' },
  { page: 'updates', label: 'Updates' },
  // Only when a published control names a live evidence check (see renderHeader).
  { page: 'evidence', label: 'Evidence' },
];

interface DocumentOptions {
  title: string;
  description: string;
  stylesheetHref: string;
  alternates: PagePaths | null;
  body: SafeHtml;
}

/**
 * The outer document. No scripts, no inline styles: the Content-Security-Policy allows neither,
 * and a trust center has nothing that needs them.
 */
export function renderDocument(options: DocumentOptions): string {
  const alternates = options.alternates;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${options.title}</title>
<meta name="description" content="${options.description}">
<link rel="stylesheet" href="${options.stylesheetHref}">
${
  alternates &&
  html`<link rel="alternate" type="application/json" href="${alternates.json}">
<link rel="alternate" type="text/markdown" href="${alternates.markdown}">
`
}</head>
<body>
${options.body}
</body>
</html>
`.toString();
}

function renderHeader(ctx: PageContext, current: PageName): SafeHtml {
  const withEvidence = evidenceInUse(ctx.snapshot.content).size > 0;
  const pages = navigation.filter(({ page }) => page !== 'evidence' || withEvidence);
  const items = pages.map(({ page, label }) => {
    const ariaCurrent = page === current ? raw(' aria-current="page"') : '';
    return html`<li><a href="${pagePaths(ctx.basePath, page).html}"${ariaCurrent}>${label}</a></li>`;
  });
  return html`<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header">
<div class="container site-header-inner">
<a class="brand" href="${pagePaths(ctx.basePath, 'overview').html}"><span class="brand-name">${ctx.snapshot.content.profile.companyName}</span> <span class="brand-suffix">Trust Center</span></a>
<nav class="site-nav" aria-label="Trust center">
<ul>${items}</ul>
</nav>
</div>
</header>`;
}

function renderFooter(ctx: PageContext, paths: PagePaths): SafeHtml {
  const { snapshot } = ctx;
  return html`<footer class="site-footer">
<div class="container site-footer-inner">
<p>Published version ${snapshot.version} · <time datetime="${publishedAtIso(snapshot)}">${publishedOn(snapshot)}</time></p>
<p>This page as <a href="${paths.json}" type="application/json">JSON</a> · <a href="${paths.markdown}" type="text/markdown">Markdown</a></p>
<p class="powered-by">Powered by Attest</p>
</div>
</footer>`;
}

interface TrustCenterPageOptions {
  ctx: PageContext;
  page: PageName;
  /** Null for the overview, whose title is the trust center's own name. */
  pageTitle: string | null;
  description: string;
  main: SafeHtml;
}

export function renderTrustCenterPage(options: TrustCenterPageOptions): string {
  const { ctx, page } = options;
  const paths = pagePaths(ctx.basePath, page);
  return renderDocument({
    title: documentTitle(ctx.snapshot, options.pageTitle),
    description: options.description,
    stylesheetHref: ctx.stylesheetHref,
    alternates: paths,
    body: html`${renderHeader(ctx, page)}
<main id="main" class="container">
${ctx.closing && renderClosingNotice(ctx)}
${options.main}
</main>
${renderFooter(ctx, paths)}`,
  });
}

function renderClosingNotice(ctx: PageContext): SafeHtml {
  return html`<p class="closing-notice" role="note"><strong>This trust center is closing.</strong> ${ctx.snapshot.content.profile.companyName} no longer takes document requests or subscriptions here. What is published stays readable until it is removed, and existing subscribers can still unsubscribe.</p>`;
}

/** The title block every page starts with: a small site label, the page's only h1, and a lead. */
export function renderPageHeader(eyebrow: string, heading: string, lead: HtmlValue): SafeHtml {
  return html`<div class="page-header">
<p class="eyebrow">${eyebrow}</p>
<h1>${heading}</h1>
${lead !== '' && lead !== null && lead !== undefined && html`<p class="lead">${lead}</p>`}
</div>`;
}

export function renderParagraphs(text: string): SafeHtml {
  return html`${paragraphs(text).map((paragraph) => html`<p>${paragraph}</p>`)}`;
}
