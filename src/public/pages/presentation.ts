import { type ControlStatus, controlStatuses } from '../../modules/content/content.contract.js';
import type { PublishedCategory, Snapshot } from '../../modules/publishing/snapshot.contract.js';

/*
 * Wording and derived numbers shared by the HTML, Markdown and JSON views, so the three
 * representations of a page always agree with each other.
 */

export const statusLabels: Record<ControlStatus, string> = {
  implemented: 'Implemented',
  in_progress: 'In progress',
  planned: 'Planned',
  not_applicable: 'Not applicable',
};

export function countControls(categories: readonly PublishedCategory[]): number {
  return categories.reduce((total, category) => total + category.controls.length, 0);
}

/** Every status is present (zero when unused) so the JSON shape stays stable across tenants. */
export function countByStatus(categories: readonly PublishedCategory[]): Record<ControlStatus, number> {
  const counts = Object.fromEntries(controlStatuses.map((status) => [status, 0])) as Record<
    ControlStatus,
    number
  >;
  for (const category of categories) {
    for (const control of category.controls) counts[control.status] += 1;
  }
  return counts;
}

/** The statuses that occur, in their natural order, for summaries that skip zeros. */
export function usedStatuses(counts: Record<ControlStatus, number>): ControlStatus[] {
  return controlStatuses.filter((status) => counts[status] > 0);
}

export function pluralize(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

export function controlCountLabel(count: number): string {
  return pluralize(count, 'Control');
}

export function frameworkLabel(reference: { framework: string; reference: string }): string {
  return `${reference.framework} ${reference.reference}`;
}

/** Free text is plain text: a blank line starts a new paragraph, nothing else has meaning. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\r?\n[ \t]*\r?\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0);
}

/** The snapshot may have travelled through JSON (a cache), in which case the date is a string. */
export function publishedAtIso(snapshot: Snapshot): string {
  return new Date(snapshot.publishedAt).toISOString();
}

export function publishedOn(snapshot: Snapshot): string {
  return publishedAtIso(snapshot).slice(0, 10);
}

export function documentTitle(snapshot: Snapshot, pageTitle: string | null): string {
  const siteTitle = `${snapshot.content.profile.companyName} Trust Center`;
  return pageTitle ? `${pageTitle} · ${siteTitle}` : siteTitle;
}

/** Only http(s) URLs ever become links; anything else (javascript:, data:) stays text. */
export function safeHttpUrl(value: string | null): URL | null {
  if (!value) return null;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

/** A short, readable form of a URL for link text: "www.hetzner.com" rather than "https://www.hetzner.com/". */
export function displayUrl(url: URL): string {
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.host}${path}`;
}

export type SecurityContact =
  | { kind: 'email'; address: string; href: string }
  | { kind: 'url'; url: string; href: string }
  | { kind: 'text'; text: string };

/*
 * Deliberately stricter than RFC 5322: characters such as ? & % # / would let a mailto: link carry
 * extra headers or a body, so an address using them is shown as text rather than linked.
 */
const plainEmailAddress = /^[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;

export function securityContact(value: string): SecurityContact | null {
  const contact = value.trim();
  if (!contact) return null;
  const address = contact.replace(/^mailto:/i, '');
  if (plainEmailAddress.test(address)) return { kind: 'email', address, href: `mailto:${address}` };
  const url = safeHttpUrl(contact);
  if (url?.protocol === 'https:') return { kind: 'url', url: contact, href: url.href };
  return { kind: 'text', text: contact };
}
