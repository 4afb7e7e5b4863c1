import { certificationState } from '../../modules/certifications/certifications.contract.js';
import type { PublishedDocument, SnapshotContent } from '../../modules/publishing/snapshot.contract.js';
import { html, type SafeHtml } from '../../platform/text/html.js';
import { documentAccessUrl } from './control-proof.js';
import type { PageContext } from './layout.js';

/*
 * Certification badges: each bound to the published report that proves it, linked to where a
 * visitor gets that report, with its validity judged on the day the page is served (not the day
 * it was published), so a badge turns "expired" by itself after its end date.
 */

export interface CertificationBadge {
  id: string;
  name: string;
  auditor: string;
  scope: string;
  validFrom: string;
  validUntil: string;
  state: 'upcoming' | 'valid' | 'expired';
  /** "Valid until 2027-06-30", "Expired on 2026-06-30", "Valid from 2027-01-01". */
  validity: string;
  report: {
    id: string;
    title: string;
    accessLevel: PublishedDocument['accessLevel'];
    url: string;
    sha256: string;
  };
}

/** Today in UTC, the calendar the end dates are in. */
export function todayOf(ctx: Pick<PageContext, 'today'>): string {
  return ctx.today ?? new Date().toISOString().slice(0, 10);
}

/** Only certifications whose report the snapshot publishes: no badge without a report. */
export function certificationBadges(
  basePath: string,
  content: Pick<SnapshotContent, 'certifications' | 'documents'>,
  today: string,
): CertificationBadge[] {
  const documents = new Map((content.documents ?? []).map((document) => [document.id, document]));
  const badges: CertificationBadge[] = [];
  for (const certification of content.certifications ?? []) {
    const report = documents.get(certification.documentId);
    if (!report) continue;
    const state = certificationState(certification, today);
    badges.push({
      id: certification.id,
      name: certification.name,
      auditor: certification.auditor,
      scope: certification.scope,
      validFrom: certification.validFrom,
      validUntil: certification.validUntil,
      state,
      validity:
        state === 'expired'
          ? `Expired on ${certification.validUntil}`
          : state === 'upcoming'
            ? `Valid from ${certification.validFrom}`
            : `Valid until ${certification.validUntil}`,
      report: {
        id: report.id,
        title: report.title,
        accessLevel: report.accessLevel,
        url: documentAccessUrl(basePath, report),
        sha256: certification.documentSha256,
      },
    });
  }
  return badges;
}

/**
 * What of the badges changes with the day alone: a rendered page is kept per snapshot and this
 * key, so a badge's expiry shows at once without rendering every page every day.
 */
export function certificationDayKey(content: Pick<SnapshotContent, 'certifications'>, today: string): string {
  return (content.certifications ?? [])
    .map((certification) => certificationState(certification, today)[0])
    .join('');
}

export function renderCertificationBadges(ctx: PageContext): SafeHtml | '' {
  const badges = certificationBadges(ctx.basePath, ctx.snapshot.content, todayOf(ctx));
  if (badges.length === 0) return '';
  return html`<section class="certifications" aria-labelledby="certifications-title">
<h2 id="certifications-title">Certifications</h2>
<ul class="certification-list">
${badges.map(
  (badge) => html`<li class="certification certification-${badge.state}" id="certification-${badge.id}">
<p class="certification-name"><strong>${badge.name}</strong> <span class="certification-state">${badge.state === 'expired' ? 'Expired' : badge.state === 'upcoming' ? 'Not yet valid' : 'Valid'}</span></p>
<p class="certification-meta">Audited by ${badge.auditor} · <time datetime="${badge.validFrom}">${badge.validFrom}</time> to <time datetime="${badge.validUntil}">${badge.validUntil}</time> · <strong>${badge.validity}</strong></p>
${badge.scope && html`<p class="certification-scope">Scope: ${badge.scope}</p>`}
<p class="certification-report">Report: <a href="${badge.report.url}">${badge.report.title}</a>${badge.report.accessLevel === 'gated' ? ' (on request)' : ''} · SHA-256 <code>${badge.report.sha256}</code></p>
</li>`,
)}
</ul>
</section>`;
}
