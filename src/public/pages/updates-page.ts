import type { PublishedUpdate } from '../../modules/publishing/snapshot.contract.js';
import { renderUpdateBody } from '../../modules/updates/update-body.js';
import { html, raw, type SafeHtml } from '../../platform/text/html.js';
import { type PageContext, renderPageHeader, renderTrustCenterPage } from './layout.js';
import { pluralize } from './presentation.js';

export const updateKindLabels: Record<PublishedUpdate['kind'], string> = {
  incident: 'Incident',
  subprocessor: 'Subprocessor change',
  certification: 'Certification',
  policy: 'Policy',
  advisory: 'Advisory',
  general: 'Update',
};

export function publishedDay(iso: string): string {
  return new Date(iso).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

function renderUpdate(update: PublishedUpdate): SafeHtml {
  // The body is Markdown rendered to HTML and sanitised against an allow-list (update-body.ts).
  return html`<article class="update" id="update-${update.id}" aria-labelledby="update-${update.id}-title">
<p class="eyebrow">${updateKindLabels[update.kind]} · <time datetime="${update.publishedAt}">${publishedDay(update.publishedAt)}</time></p>
<h2 id="update-${update.id}-title">${update.title}</h2>
<div class="update-body">${raw(renderUpdateBody(update.body))}</div>
</article>`;
}

export function renderUpdatesPage(ctx: PageContext): string {
  const { profile } = ctx.snapshot.content;
  const updates = ctx.snapshot.content.updates ?? [];
  const base = ctx.basePath;
  const lead = `Security incidents, subprocessor changes, certifications and policy news from ${profile.companyName}.`;
  return renderTrustCenterPage({
    ctx,
    page: 'updates',
    pageTitle: 'Updates',
    description: `${pluralize(updates.length, 'update')} from ${profile.companyName}.`,
    main: html`${renderPageHeader(`${profile.companyName} Trust Center`, 'Updates', lead)}
<p class="feed-links">Follow by <a href="${base}/subscribe">e-mail</a>, <a href="${base}/updates.rss" type="application/rss+xml">RSS</a>, <a href="${base}/updates.atom" type="application/atom+xml">Atom</a> or <a href="${base}/updates.json" type="application/feed+json">JSON Feed</a>.</p>
${updates.length === 0 ? html`<p class="empty-state">No updates have been published yet.</p>` : updates.map(renderUpdate)}`,
  });
}
