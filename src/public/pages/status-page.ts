import type { PublicStatus } from '../../modules/host-checks/host-checks.contract.js';
import { html, type SafeHtml } from '../../platform/text/html.js';
import { checkedAtLabel } from './evidence-page.js';
import { type PageContext, renderPageHeader, renderTrustCenterPage } from './layout.js';

type Item = PublicStatus['items'][number];

export const STATUS_INTRO =
  'Each service is probed every minute. Availability is the share of probes it answered, over the last 30 and 90 days, against its target.';

const statusLabels: Record<Item['status'], string> = {
  pass: 'Up',
  fail: 'Down',
  error: 'Not checked',
  pending: 'Not probed yet',
};

export function percentLabel(value: number | null): string {
  return value === null ? 'no probes yet' : `${value.toFixed(2)}%`;
}

/** Whether the 30-day availability meets the target (null: too early to say). */
export function meetsTarget(item: Item): boolean | null {
  return item.availability.last30Days === null
    ? null
    : item.availability.last30Days >= item.availability.targetPercent;
}

function renderItem(item: Item): SafeHtml {
  const meets = meetsTarget(item);
  const label = statusLabels[item.status];
  return html`<article class="evidence-check">
<h2>${item.name}</h2>
<p><span class="badge badge-${item.status === 'pass' ? 'passing' : item.status === 'fail' ? 'failing' : 'could-not-run'}"><span class="visually-hidden">Status: </span>${label}</span></p>
<dl class="evidence-facts">
<dt>Last 30 days</dt><dd>${percentLabel(item.availability.last30Days)}</dd>
<dt>Last 90 days</dt><dd>${percentLabel(item.availability.last90Days)}</dd>
<dt>Target</dt><dd>${`${item.availability.targetPercent}%`}${meets === null ? '' : meets ? ' (met)' : ' (missed)'}</dd>
</dl>
${
  item.controls.length > 0 &&
  html`<h3>Backs</h3>
<ul>
${item.controls.map((control) => html`<li>${control.title}</li>`)}
</ul>`
}
${item.checkedAt && html`<p class="evidence-checked">Probed <time datetime="${item.checkedAt}">${checkedAtLabel(item.checkedAt)}</time></p>`}
</article>`;
}

/** The status section: rendered on request from the probes, like the evidence page. */
export function renderStatusPage(ctx: PageContext, status: PublicStatus): string {
  return renderTrustCenterPage({
    ctx,
    page: 'status',
    pageTitle: 'Status',
    description: `Availability of ${ctx.snapshot.content.profile.companyName}'s services, probed every minute.`,
    main: html`${renderPageHeader('Trust Center', 'Status', STATUS_INTRO)}
${status.items.length === 0 ? html`<p>No services are monitored here yet.</p>` : status.items.map(renderItem)}`,
  });
}

export function renderStatusMarkdown(ctx: PageContext, status: PublicStatus): string {
  const lines = [`# ${ctx.snapshot.content.profile.companyName} status`, '', STATUS_INTRO, ''];
  if (status.items.length === 0) lines.push('No services are monitored here yet.', '');
  for (const item of status.items) {
    const meets = meetsTarget(item);
    lines.push(
      `## ${item.name.replace(/[\r\n]/g, ' ')}`,
      '',
      `- Status: ${statusLabels[item.status]}`,
      `- Last 30 days: ${percentLabel(item.availability.last30Days)}`,
      `- Last 90 days: ${percentLabel(item.availability.last90Days)}`,
      `- Target: ${item.availability.targetPercent}%${meets === null ? '' : meets ? ' (met)' : ' (missed)'}`,
      ...(item.checkedAt ? [`- Probed: ${checkedAtLabel(item.checkedAt)}`] : []),
      ...(item.controls.length
        ? [`- Backs: ${item.controls.map((control) => control.title.replace(/[\r\n]/g, ' ')).join('; ')}`]
        : []),
      '',
    );
  }
  return lines.join('\n');
}
