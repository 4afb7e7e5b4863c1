import { fileKindLabel, sizeLabel } from '../../modules/documents/file-labels.js';
import type { PublishedDocument } from '../../modules/publishing/snapshot.contract.js';
import { html, raw, type SafeHtml } from '../../platform/text/html.js';
import { type PageContext, renderPageHeader, renderParagraphs, renderTrustCenterPage } from './layout.js';
import { pluralize } from './presentation.js';

export const categoryLabels: Record<PublishedDocument['category'], string> = {
  certification_report: 'Certification reports',
  pentest: 'Penetration tests',
  policy: 'Policies',
  legal: 'Legal',
  other: 'Other documents',
};

/** "Valid until …" or "Expired on …", judged against the snapshot's date so the page stays cacheable. */
export function validityLabel(document: PublishedDocument, today: string): string | null {
  if (!document.expiresOn) return null;
  return document.expiresOn < today
    ? `Expired on ${document.expiresOn}`
    : `Valid until ${document.expiresOn}`;
}

export function publishedDocuments(ctx: PageContext): PublishedDocument[] {
  return ctx.snapshot.content.documents ?? [];
}

export function downloadHref(ctx: PageContext, document: { id: string }): string {
  return `${ctx.basePath}/documents/${document.id}/download`;
}

/** What a visitor typed, shown again with the problem when the form is refused. */
export interface AccessFormState {
  problem: string;
  values: { name?: string; email?: string; company?: string; reason?: string; documentIds?: string[] };
}

function renderDocument(ctx: PageContext, document: PublishedDocument, today: string): SafeHtml {
  const validity = validityLabel(document, today);
  const meta = [
    fileKindLabel(document.mediaType),
    sizeLabel(document.sizeBytes),
    `version ${document.version}`,
  ];
  const action =
    document.accessLevel === 'public'
      ? html`<a class="document-download" href="${downloadHref(ctx, document)}" download>Download</a>`
      : html`<a class="document-request" href="#request-access">On request</a>`;
  return html`<li class="document" id="document-${document.id}">
<h3>${document.title}</h3>
${document.description && renderParagraphs(document.description)}
<p class="document-meta">${meta.join(' · ')}${validity ? html` · <strong>${validity}</strong>` : ''}</p>
<p>${action}</p>
</li>`;
}

function renderGroups(ctx: PageContext, documents: PublishedDocument[], today: string): SafeHtml {
  const groups = (Object.keys(categoryLabels) as PublishedDocument['category'][])
    .map((category) => ({ category, items: documents.filter((document) => document.category === category) }))
    .filter((group) => group.items.length > 0);
  return html`${groups.map(
    (group) => html`<section class="document-group" aria-labelledby="documents-${group.category}">
<h2 id="documents-${group.category}">${categoryLabels[group.category]}</h2>
<ul class="document-list">
${group.items.map((document) => renderDocument(ctx, document, today))}
</ul>
</section>`,
  )}`;
}

function checked(condition: boolean): SafeHtml | string {
  return condition ? raw(' checked') : '';
}

/** The NDA as it is stored: paragraphs on blank lines, line breaks kept, plus its version and SHA-256. */
function renderNda(ctx: PageContext): SafeHtml | string {
  const nda = ctx.snapshot.content.nda;
  if (!nda) return '';
  const paragraphs = nda.text.split(/\r?\n[ \t]*\r?\n/).filter((paragraph) => paragraph.trim());
  return html`<fieldset class="nda">
<legend>Confidentiality agreement</legend>
<div class="nda-text" id="nda-text" tabindex="0" role="region" aria-label="Confidentiality agreement, version ${nda.version}">
${paragraphs.map((paragraph) => html`<p>${paragraph.split(/\r?\n/).map((line, index) => html`${index ? raw('<br>') : ''}${line}`)}</p>`)}
</div>
<p class="nda-fingerprint">Version ${nda.version} · SHA-256 <code>${nda.sha256}</code></p>
<input type="hidden" name="ndaVersion" value="${nda.version}">
<p><label><input type="checkbox" name="ndaAccepted" value="yes" required> I accept this confidentiality agreement on behalf of my company.</label></p>
</fieldset>`;
}

export function renderAccessRequestForm(ctx: PageContext, state?: AccessFormState): SafeHtml | string {
  const gated = publishedDocuments(ctx).filter((document) => document.accessLevel === 'gated');
  if (gated.length === 0) return '';
  const values = state?.values ?? {};
  const chosen = new Set(values.documentIds ?? gated.map((document) => document.id));
  return html`<section class="access-request" id="request-access" aria-labelledby="request-access-heading">
<h2 id="request-access-heading">Request access</h2>
<p>Documents marked “On request” are shared after you accept the confidentiality agreement and your request is approved. You receive a personal link by e-mail; copies you download carry your e-mail address and company.</p>
${state ? html`<p class="form-error" role="alert">${state.problem}</p>` : ''}
<form method="post" action="${ctx.basePath}/access-requests">
<p><label for="access-name">Your name</label><br>
<input id="access-name" name="name" required maxlength="200" autocomplete="name" value="${values.name ?? ''}"></p>
<p><label for="access-email">Work e-mail</label><br>
<input id="access-email" name="email" type="email" required maxlength="254" autocomplete="email" value="${values.email ?? ''}"></p>
<p><label for="access-company">Company</label><br>
<input id="access-company" name="company" required maxlength="200" autocomplete="organization" value="${values.company ?? ''}"></p>
<p><label for="access-reason">Why you need them (optional)</label><br>
<textarea id="access-reason" name="reason" maxlength="2000" rows="3">${values.reason ?? ''}</textarea></p>
<fieldset>
<legend>Documents</legend>
${gated.map(
  (document) =>
    html`<p><label><input type="checkbox" name="documentId" value="${document.id}"${checked(chosen.has(document.id))}> ${document.title}</label></p>`,
)}
</fieldset>
${renderNda(ctx)}
<p><button type="submit">Request access</button></p>
</form>
<p>Already approved? <a href="${ctx.basePath}/documents/shared">Open your shared documents</a>, or <a href="${ctx.basePath}/access/new-link">get a new link by e-mail</a> if this browser has not opened them.</p>
</section>`;
}

export function renderDocumentsPage(ctx: PageContext, state?: AccessFormState): string {
  const { profile } = ctx.snapshot.content;
  const documents = publishedDocuments(ctx);
  const today = new Date(ctx.snapshot.publishedAt).toISOString().slice(0, 10);
  const lead = `Reports, policies and agreements of ${profile.companyName}. Public documents download directly; the others are shared on request.`;
  return renderTrustCenterPage({
    ctx,
    page: 'documents',
    pageTitle: 'Documents',
    description: `${pluralize(documents.length, 'document')} published by ${profile.companyName}.`,
    main: html`${renderPageHeader(`${profile.companyName} Trust Center`, 'Documents', lead)}
${documents.length === 0 ? html`<p class="empty-state">No documents have been published.</p>` : renderGroups(ctx, documents, today)}
${renderAccessRequestForm(ctx, state)}`,
  });
}
