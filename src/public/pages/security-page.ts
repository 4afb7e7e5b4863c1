import type { PublishedCategory, PublishedControl } from '../../modules/publishing/snapshot.contract.js';
import { html, type SafeHtml } from '../../platform/text/html.js';
import { controlProof, hasProof } from './control-proof.js';
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
  hostCheckLabel,
  hostCheckStatusLabels,
  hostChecksOf,
  type LiveEvidence,
  shownCounts,
  sinceLabel,
  VERIFICATION_FAILING,
} from './verification.js';

/** Keys are already URL-safe; the prefix keeps category anchors apart from any other id on the page. */
export function categoryAnchor(category: PublishedCategory): string {
  return `cat-${category.key}`;
}

function renderStatusSummary(categories: readonly PublishedCategory[], live: LiveEvidence): SafeHtml {
  const { counts, unverified } = shownCounts(countByStatus(categories), categories, live);
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

function commaSeparated(items: readonly (SafeHtml | string)[]): SafeHtml {
  return html`${items.map((item, index) => html`${index > 0 ? ', ' : ''}${item}`)}`;
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
  const hosts = verification.hostChecks.map(
    (check, index) => html`${index > 0 || checks.length > 0 ? ', ' : ''}${check.label}`,
  );
  return html`<p class="verification-detail">Published as ${statusLabels[control.status]}; the live evidence does not hold: ${checks}${hosts}.</p>`;
}

/**
 * How the control is evidenced, kind by kind: links to the checks' live results (the results
 * themselves stay on the evidence page), the documents that prove it, public artifacts, and the
 * company's attested statement.
 */
function renderEvidence(ctx: PageContext, control: PublishedControl): SafeHtml | '' {
  const proof = controlProof(ctx.basePath, ctx.snapshot.content, control);
  if (!hasProof(proof)) return '';
  const checks =
    proof.checks.length > 0 &&
    html`<p class="evidence-links">Live evidence: ${commaSeparated(proof.checks.map((link) => html`<a href="${link.url}">${link.title}</a>`))}</p>`;
  const documents =
    proof.documents.length > 0 &&
    html`<p class="evidence-documents">Documents: ${commaSeparated(
      proof.documents.map(
        (document) =>
          html`<a href="${document.url}">${document.title}</a>${document.accessLevel === 'gated' ? ' (on request)' : ''}`,
      ),
    )}</p>`;
  const artifacts =
    proof.artifacts.length > 0 &&
    html`<p class="evidence-artifacts">Public artifacts: ${commaSeparated(
      proof.artifacts.map((artifact) =>
        artifact.url
          ? html`<a href="${artifact.url}" rel="nofollow noopener">${artifact.title}</a>`
          : html`${artifact.title} (<code>${artifact.path}</code> in the source repository)`,
      ),
    )}</p>`;
  const attestation =
    proof.attestation &&
    html`<p class="evidence-attestation">Attested by ${proof.attestation.attestedBy} on <time datetime="${proof.attestation.attestedOn}">${proof.attestation.attestedOn}</time>: ${proof.attestation.statement}</p>`;
  return html`${checks || ''}${documents || ''}${artifacts || ''}${attestation || ''}`;
}

/** The tenant's checks of its own hosts that back the control: name, kind and state, never the target. */
function renderHostChecks(ctx: PageContext, control: PublishedControl): SafeHtml | '' {
  const checks = hostChecksOf(control, ctx);
  if (checks.length === 0) return '';
  const items = checks.map(
    (check) =>
      html`<li>${hostCheckLabel(check)}: ${hostCheckStatusLabels[check.status]}${check.failingSince ? html` since <time datetime="${check.failingSince}">${sinceLabel(check.failingSince)}</time>` : ''}</li>`,
  );
  return html`<ul class="evidence-host-checks" aria-label="Host checks">${items}</ul>`;
}

function renderControl(ctx: PageContext, control: PublishedControl): SafeHtml {
  const basePath = ctx.basePath;
  const verification = failingVerification(control, ctx);
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
${renderEvidence(ctx, control)}
${renderHostChecks(ctx, control)}
</li>`;
}

function renderCategory(ctx: PageContext, category: PublishedCategory): SafeHtml {
  const anchor = categoryAnchor(category);
  return html`<section class="category" id="${anchor}" aria-labelledby="${anchor}-title">
<div class="category-head">
<h2 id="${anchor}-title">${category.name}</h2>
<p class="category-count">${controlCountLabel(category.controls.length)}</p>
</div>
<div class="category-description">${renderParagraphs(category.description)}</div>
<ul class="controls">
${category.controls.map((control) => renderControl(ctx, control))}
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
${categories.map((category) => renderCategory(ctx, category))}
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
${renderStatusSummary(categories, ctx)}
</div>
${body}`,
  });
}
