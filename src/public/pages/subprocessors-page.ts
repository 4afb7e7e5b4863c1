import type { SubprocessorInput } from '../../modules/content/content.contract.js';
import { html, type SafeHtml } from '../../platform/text/html.js';
import { type PageContext, renderPageHeader, renderParagraphs, renderTrustCenterPage } from './layout.js';
import { displayUrl, pluralize, publishedOn, safeHttpUrl } from './presentation.js';
import { changeSentence, objectionContact, upcomingChanges } from './upcoming-changes.js';

const columns = [
  'Name',
  'Legal entity',
  'Purpose',
  'Data processed',
  'Location',
  'Transfer safeguards',
  'Website',
];

const notSpecified = html`<span class="not-specified">Not specified</span>`;

function renderCell(text: string): SafeHtml {
  return html`<td>${text.trim() ? renderParagraphs(text) : notSpecified}</td>`;
}

/** nofollow: a tenant's outbound links should not borrow the platform's reputation. */
function renderWebsite(website: string | null): SafeHtml {
  const url = safeHttpUrl(website);
  if (!url) return html`<td>${notSpecified}</td>`;
  return html`<td><a href="${url.href}" rel="noopener noreferrer nofollow">${displayUrl(url)}</a></td>`;
}

function renderRow(subprocessor: SubprocessorInput): SafeHtml {
  return html`<tr>
<th scope="row">${subprocessor.name}</th>
${renderCell(subprocessor.legalEntity)}
${renderCell(subprocessor.purpose)}
${renderCell(subprocessor.dataProcessed)}
${renderCell(subprocessor.location)}
${renderCell(subprocessor.transferSafeguards)}
${renderWebsite(subprocessor.website)}
</tr>`;
}

/** The region is focusable so keyboard users can scroll the table sideways on a narrow screen. */
function renderTable(subprocessors: readonly SubprocessorInput[], companyName: string): SafeHtml {
  return html`<div class="table-scroll" role="region" aria-labelledby="subprocessors-caption" tabindex="0">
<table class="data-table">
<caption id="subprocessors-caption">Subprocessors of ${companyName} (${subprocessors.length})</caption>
<thead><tr>${columns.map((column) => html`<th scope="col">${column}</th>`)}</tr></thead>
<tbody>
${subprocessors.map(renderRow)}
</tbody>
</table>
</div>`;
}

function renderUpcoming(ctx: PageContext): SafeHtml {
  const { content } = ctx.snapshot;
  const changes = upcomingChanges(content);
  if (changes.length === 0) return html``;
  const contact = objectionContact(content);
  return html`<section class="upcoming-changes" aria-labelledby="upcoming-title">
<h2 id="upcoming-title">Upcoming changes</h2>
<ul>
${changes.map(
  (change) =>
    html`<li id="change-${change.id}"><strong>From <time datetime="${change.effectiveOn}">${change.effectiveOn}</time>:</strong> ${changeSentence(content, change)}. <span class="announced">Announced ${change.announcedOn}.</span>${change.summary ? html` ${change.summary}` : ''}</li>`,
)}
</ul>
${
  contact &&
  html`<p>To object to a change, contact ${contact.href ? html`<a href="${contact.href}">${contact.text}</a>` : contact.text} before its date.</p>`
}
</section>`;
}

export function renderSubprocessorsPage(ctx: PageContext): string {
  const { profile, subprocessors } = ctx.snapshot.content;
  const lead = `The third parties that process personal data on behalf of ${profile.companyName}: what they do, which data they handle and where.`;
  return renderTrustCenterPage({
    ctx,
    page: 'subprocessors',
    pageTitle: 'Subprocessors',
    description: `${pluralize(subprocessors.length, 'subprocessor')} used by ${profile.companyName}.`,
    main: html`${renderPageHeader(`${profile.companyName} Trust Center`, 'Subprocessors', lead)}
<p class="as-of">List as of <time datetime="${publishedOn(ctx.snapshot)}">${publishedOn(ctx.snapshot)}</time>.</p>
${renderUpcoming(ctx)}
${
  subprocessors.length === 0
    ? html`<p class="empty-state">No subprocessors have been published.</p>`
    : renderTable(subprocessors, profile.companyName)
}`,
  });
}
