import type { FailingChecks } from '../../modules/evidence/evidence.contract.js';
import type { PublishedCategory, PublishedControl } from '../../modules/publishing/snapshot.contract.js';
import { html, type SafeHtml } from '../../platform/text/html.js';
import { evidenceLinks } from './evidence-links.js';
import { type PageContext, renderPageHeader, renderParagraphs, renderTrustCenterPage } from './layout.js';
import {
  controlCountLabel,
  countByStatus,
  countControls,
  frameworkLabel,
  pluralize,
  statusLabels,
  usedStatuses,
} from './presentation.js';
import { renderStatusBadge } from './status-badge.js';
import {
  type FailingVerification,
  failingVerification,
  shownCounts,
  sinceLabel,
  VERIFICATION_FAILING,
} from './verification.js';

/** Keys are already URL-safe; the prefix keeps category anchors apart from any other id on the page. */
export function categoryAnchor(category: PublishedCategory): string {
  return `cat-${category.key}`;
}

function renderStatusSummary(categories: readonly PublishedCategory[], failing?: FailingChecks): SafeHtml {
  const { counts, unverified } = shownCounts(countByStatus(categories), categories, failing);
  const items = usedStatuses(counts).map(
    (status) =>
      html`<li>${renderStatusBadge(status)} <span class="status-count">${counts[status]}</span></li>`,
  );
  if (unverified > 0)
    items.push(
      html`<li><span class="badge badge-failing"><span class="visually-hidden">Status: </span>${VERIFICATION_FAILING}</span> <span class="status-count">${unverified}</span></li>`,
    );
  return html`<ul class="status-summary" aria-label="Controls by status">${items}</ul>`;
}

function renderTableOfContents(categories: readonly PublishedCategory[]): SafeHtml {
  const items = categories.map(
    (category) =>
      html`<li><a href="#${categoryAnchor(category)}">${category.name}</a> <span class="toc-count">${controlCountLabel(category.controls.length)}</span></li>`,
  );
  return html`<nav class="toc" aria-labelledby="toc-title">
<p class="toc-title" id="toc-title">Categories</p>
<ol>${items}</ol>
</nav>`;
}

function renderFrameworks(control: PublishedControl): SafeHtml | '' {
  if (control.frameworks.length === 0) return '';
  const tags = control.frameworks.map((reference) => html`<li class="tag">${frameworkLabel(reference)}</li>`);
  return html`<ul class="tags" aria-label="Framework references">${tags}</ul>`;
}

/** Links to the checks' live results; the results themselves stay on the evidence page. */
function renderEvidence(control: PublishedControl, basePath: string): SafeHtml | '' {
  const links = evidenceLinks(basePath, control);
  if (links.length === 0) return '';
  const items = links.map(
    (link, index) => html`${index > 0 ? ', ' : ''}<a href="${link.url}">${link.title}</a>`,
  );
  return html`<p class="evidence-links">Live evidence: ${items}</p>`;
}

/** In place of the status badge: the evidence does not hold, since when, and which check fails. */
function renderVerificationFailing(verification: FailingVerification): SafeHtml {
  return html`<p class="verification-failing"><span class="badge badge-failing"><span class="visually-hidden">Status: </span>${VERIFICATION_FAILING}</span> since <time datetime="${verification.since}">${sinceLabel(verification.since)}</time></p>`;
}

function renderVerificationDetail(
  control: PublishedControl,
  verification: FailingVerification,
  basePath: string,
): SafeHtml {
  const base = basePath.replace(/\/+$/, '');
  const checks = verification.checks.map(
    (check, index) =>
      html`${index > 0 ? ', ' : ''}<a href="${base}/evidence#${check.check}">${check.title}</a>`,
  );
  return html`<p class="verification-detail">Published as ${statusLabels[control.status]}; the live evidence does not hold: ${checks}.</p>`;
}

function renderControl(control: PublishedControl, basePath: string, failing?: FailingChecks): SafeHtml {
  const verification = failingVerification(control, failing);
  const reviewed =
    control.lastReviewedOn &&
    html`<p class="reviewed">Last reviewed <time datetime="${control.lastReviewedOn}">${control.lastReviewedOn}</time></p>`;
  return html`<li class="control" id="control-${control.key}">
<div class="control-head">
<h3>${control.title}</h3>
${verification ? renderVerificationFailing(verification) : renderStatusBadge(control.status)}
</div>
${verification && renderVerificationDetail(control, verification, basePath)}
${renderParagraphs(control.description)}
<div class="control-meta">${reviewed}${renderFrameworks(control)}</div>
${renderEvidence(control, basePath)}
</li>`;
}

function renderCategory(category: PublishedCategory, basePath: string, failing?: FailingChecks): SafeHtml {
  const anchor = categoryAnchor(category);
  return html`<section class="category" id="${anchor}" aria-labelledby="${anchor}-title">
<div class="category-head">
<h2 id="${anchor}-title">${category.name}</h2>
<p class="category-count">${controlCountLabel(category.controls.length)}</p>
</div>
<div class="category-description">${renderParagraphs(category.description)}</div>
<ul class="controls">
${category.controls.map((control) => renderControl(control, basePath, failing))}
</ul>
</section>`;
}

export function renderSecurityPage(ctx: PageContext): string {
  const { profile, categories } = ctx.snapshot.content;
  const total = countControls(categories);
  const intro = `The technical and organisational measures ${profile.companyName} uses to protect its service and your data, with the current status of each.`;
  const body =
    categories.length === 0
      ? html`<p class="empty-state">No security measures have been published yet.</p>`
      : html`<div class="security-layout">
${renderTableOfContents(categories)}
<div class="categories">
${categories.map((category) => renderCategory(category, ctx.basePath, ctx.failing))}
</div>
</div>`;
  const counts = countByStatus(categories);
  const statusText = usedStatuses(counts)
    .map((status) => `${counts[status]} ${statusLabels[status].toLowerCase()}`)
    .join(', ');
  return renderTrustCenterPage({
    ctx,
    page: 'security',
    pageTitle: 'Security Measures',
    description: `${pluralize(total, 'security control')} published by ${profile.companyName}${statusText ? ` (${statusText})` : ''}.`,
    main: html`${renderPageHeader(`${profile.companyName} Trust Center`, 'Security Measures', intro)}
<div class="security-summary">
<p class="total"><strong>${controlCountLabel(total)}</strong> in ${pluralize(categories.length, 'category', 'categories')}</p>
${renderStatusSummary(categories, ctx.failing)}
</div>
${body}`,
  });
}
