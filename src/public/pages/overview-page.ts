import { html, type SafeHtml } from '../../platform/text/html.js';
import { renderCertificationBadges } from './certification-badges.js';
import { type PageContext, renderPageHeader, renderParagraphs, renderTrustCenterPage } from './layout.js';
import { overviewSections, sectionHref } from './overview-sections.js';
import { securityContact } from './presentation.js';

interface Card {
  title: string;
  href: string;
  stat: string;
  detail: string;
}

/** The whole card is clickable through CSS (a stretched link), yet holds a single real link. */
function renderCard(card: Card): SafeHtml {
  return html`<li class="card">
<h2 class="card-title"><a class="card-link" href="${card.href}">${card.title}</a></h2>
<p class="card-stat">${card.stat}</p>
${card.detail && html`<p class="card-detail">${card.detail}</p>`}
</li>`;
}

function renderContact(value: string): SafeHtml | '' {
  const contact = securityContact(value);
  if (!contact) return '';
  let reachable: SafeHtml;
  if (contact.kind === 'email') reachable = html`<a href="${contact.href}">${contact.address}</a>`;
  else if (contact.kind === 'url') reachable = html`<a href="${contact.href}">${contact.url}</a>`;
  else reachable = html`<span class="contact-text">${contact.text}</span>`;
  return html`<section class="contact" aria-labelledby="contact-title">
<h2 id="contact-title">Security contact</h2>
<p>To report a vulnerability or ask a security question, contact ${reachable}.</p>
</section>`;
}

export function renderOverviewPage(ctx: PageContext): string {
  const { profile } = ctx.snapshot.content;
  const cards: Card[] = overviewSections(ctx.snapshot.content).map((section) => ({
    title: section.title,
    href: sectionHref(ctx.basePath, section).html,
    stat: section.stat,
    detail: section.detail,
  }));
  return renderTrustCenterPage({
    ctx,
    page: 'overview',
    pageTitle: null,
    description: profile.tagline || `Security, privacy and subprocessors of ${profile.companyName}.`,
    main: html`${renderPageHeader('Trust Center', profile.companyName, profile.tagline)}
${profile.intro && html`<div class="prose">${renderParagraphs(profile.intro)}</div>`}
${renderCertificationBadges(ctx)}
<ul class="card-grid">
${cards.map(renderCard)}
</ul>
${renderContact(profile.securityContact)}`,
  });
}
