import type { EvidenceStatus, PublicEvidenceList } from '../../modules/evidence/evidence.contract.js';
import { html, type SafeHtml } from '../../platform/text/html.js';
import { type PageContext, renderPageHeader, renderTrustCenterPage } from './layout.js';

export const evidenceStatusLabels: Record<EvidenceStatus, string> = {
  pass: 'Passing',
  fail: 'Failing',
  error: 'Could not run',
  not_applicable: 'Not applicable',
};

export const EVIDENCE_INTRO =
  'These checks run against this installation every 15 minutes. Each shows what it found the last time it ran, and which of our security measures it backs.';

/** "2026-11-26 09:00 UTC" */
export function checkedAtLabel(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "filesChecked" → "Files checked". */
export function factLabel(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function factValue(value: number | string | boolean): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

function renderBadge(status: EvidenceStatus): SafeHtml {
  const label = evidenceStatusLabels[status];
  return html`<span class="badge badge-${label.toLowerCase().replaceAll(' ', '-')}"><span class="visually-hidden">Status: </span>${label}</span>`;
}

function renderItem(item: PublicEvidenceList['items'][number]): SafeHtml {
  const facts = Object.entries(item.facts);
  return html`<article id="${item.check}" class="evidence-check" aria-labelledby="${item.check}-title">
<h2 id="${item.check}-title">${item.title}</h2>
<p>${renderBadge(item.status)}${item.failingSince && html` since <time datetime="${item.failingSince}">${checkedAtLabel(item.failingSince)}</time>`}</p>
<p>${item.summary}</p>
<p class="evidence-checked">Checked <time datetime="${item.checkedAt}">${checkedAtLabel(item.checkedAt)}</time></p>
${
  facts.length > 0 &&
  html`<dl class="evidence-facts">
${facts.map(([name, value]) => html`<dt>${factLabel(name)}</dt><dd>${factValue(value)}</dd>`)}
</dl>`
}
<h3>What is checked</h3>
<p>${item.checks}</p>
${
  item.controls.length > 0 &&
  html`<h3>Backs</h3>
<ul>
${item.controls.map((control) => html`<li>${control.title}</li>`)}
</ul>`
}
</article>`;
}

/** The live evidence page: rendered on request from the latest results, never cached as a snapshot page. */
export function renderEvidencePage(ctx: PageContext, list: PublicEvidenceList): string {
  return renderTrustCenterPage({
    ctx,
    page: 'evidence',
    pageTitle: 'Live evidence',
    description: `Live evidence of ${ctx.snapshot.content.profile.companyName}'s security measures, checked by machine.`,
    main: html`${renderPageHeader('Trust Center', 'Live evidence', EVIDENCE_INTRO)}
${
  list.items.length === 0
    ? html`<p>No checks have results to show yet.</p>`
    : html`<p>Last run: <time datetime="${list.lastRunAt ?? ''}">${list.lastRunAt ? checkedAtLabel(list.lastRunAt) : 'never'}</time></p>
${list.items.map(renderItem)}`
}`,
  });
}
