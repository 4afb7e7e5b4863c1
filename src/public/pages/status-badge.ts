import type { ControlStatus } from '../../modules/content/content.contract.js';
import { html, type SafeHtml } from '../../platform/text/html.js';
import { statusLabels } from './presentation.js';

/** The status is always spelled out; the colour only repeats it for sighted readers. */
export function renderStatusBadge(status: ControlStatus): SafeHtml {
  return html`<span class="badge badge-${status.replaceAll('_', '-')}"><span class="visually-hidden">Status: </span>${statusLabels[status]}</span>`;
}
