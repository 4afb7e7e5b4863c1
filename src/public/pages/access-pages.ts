import { fileKindLabel, sizeLabel } from '../../modules/documents/file-labels.js';
import type { VisitorAccess } from '../../modules/documents/grants.service.js';
import { html, type SafeHtml } from '../../platform/text/html.js';
import { downloadHref, publishedDocuments } from './documents-page.js';
import { type PageContext, renderPageHeader, renderTrustCenterPage } from './layout.js';

/*
 * The visitor's side of access requests, outside the cached pages (they depend on the visitor):
 * "request received", the page behind the e-mailed link (a button, since mail scanners follow
 * links and the link works once), the visitor's shared documents, and refusals.
 */

function page(ctx: PageContext, title: string, lead: string, body: SafeHtml | string = ''): string {
  const { profile } = ctx.snapshot.content;
  return renderTrustCenterPage({
    ctx,
    page: 'documents',
    pageTitle: title,
    description: lead,
    main: html`${renderPageHeader(`${profile.companyName} Trust Center`, title, lead)}
${body}`,
  });
}

const backToDocuments = (ctx: PageContext) =>
  html`<p><a href="${ctx.basePath}/documents">Back to the documents</a></p>`;

export function renderRequestReceivedPage(ctx: PageContext): string {
  return page(
    ctx,
    'Request received',
    'Thank you. If your request is approved, you will receive an e-mail with a personal link to the documents.',
    backToDocuments(ctx),
  );
}

export function renderOpenLinkPage(ctx: PageContext, token: string): string {
  return page(
    ctx,
    'Open your documents',
    'Your access has been approved. The link works once and opens the documents in this browser.',
    html`<form method="post" action="${ctx.basePath}/access/${token}">
<p><button type="submit">Open the documents</button></p>
</form>`,
  );
}

const newLinkOffer = (ctx: PageContext) =>
  html`<p>Your access is still in force? <a href="${ctx.basePath}/access/new-link">Get a new link by e-mail</a>.</p>`;

export function renderLinkInvalidPage(ctx: PageContext): string {
  return page(
    ctx,
    'This link is not valid any more',
    'It has been used already, has expired or was revoked. If you opened it before, use the same browser.',
    html`${newLinkOffer(ctx)}
${backToDocuments(ctx)}`,
  );
}

export function renderAccessRequiredPage(ctx: PageContext): string {
  return page(
    ctx,
    'Access required',
    'This document is shared on request. Request access, or open the link from your approval e-mail in this browser.',
    html`<p><a href="${ctx.basePath}/documents#request-access">Request access</a></p>
${newLinkOffer(ctx)}`,
  );
}

/** Asks for the address an approval went to; `problem` when the last try was not accepted. */
export function renderNewLinkPage(ctx: PageContext, problem?: { message: string; email: string }): string {
  return page(
    ctx,
    'Get a new link',
    'If your access to documents is still in force, we e-mail a new single-use link to the address it was approved for. Any earlier link stops working.',
    html`${problem ? html`<p class="form-error" role="alert">${problem.message}</p>` : ''}
<form method="post" action="${ctx.basePath}/access/new-link">
<p><label for="new-link-email">Work e-mail</label><br>
<input id="new-link-email" name="email" type="email" required maxlength="254" autocomplete="email" value="${problem?.email ?? ''}"></p>
<p><button type="submit">Send me a new link</button></p>
</form>
${backToDocuments(ctx)}`,
  );
}

export function renderNewLinkSentPage(ctx: PageContext): string {
  return page(
    ctx,
    'Check your e-mail',
    'If that address has access in force, a new link is on its way to it. It works once and opens the documents in the browser you use it in.',
    backToDocuments(ctx),
  );
}

export function renderSharedDocumentsPage(ctx: PageContext, access: VisitorAccess): string {
  const shared = publishedDocuments(ctx).filter(
    (document) => document.accessLevel === 'public' || access.documentIds.includes(document.id),
  );
  return page(
    ctx,
    'Your shared documents',
    `Shared with ${access.email} (${access.company}) until ${access.expiresAt.toISOString().slice(0, 10)}.`,
    html`<ul class="document-list">
${shared.map(
  (document) => html`<li class="document">
<h3>${document.title}</h3>
<p class="document-meta">${fileKindLabel(document.mediaType)} · ${sizeLabel(document.sizeBytes)} · version ${document.version}</p>
<p><a class="document-download" href="${downloadHref(ctx, document)}" download>Download</a></p>
</li>`,
)}
</ul>
<form method="post" action="${ctx.basePath}/documents/sign-out">
<p><button type="submit">Sign out</button></p>
</form>`,
  );
}

export function renderVisitorProblemPage(ctx: PageContext, title: string, message: string): string {
  return page(ctx, title, message, backToDocuments(ctx));
}
