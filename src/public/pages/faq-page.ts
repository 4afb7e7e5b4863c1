import type { FaqInput } from '../../modules/content/content.contract.js';
import { html, type SafeHtml } from '../../platform/text/html.js';
import { type PageContext, renderPageHeader, renderParagraphs, renderTrustCenterPage } from './layout.js';
import { pluralize } from './presentation.js';

/*
 * Questions are headings with their answers always visible rather than collapsed <details>:
 * the page stays searchable with Ctrl+F, prints completely and reads well in any screen reader.
 */

function renderIndex(faq: readonly FaqInput[]): SafeHtml {
  const items = faq.map((item) => html`<li><a href="#faq-${item.key}">${item.question}</a></li>`);
  return html`<nav class="toc" aria-labelledby="faq-index-title">
<p class="toc-title" id="faq-index-title">Questions</p>
<ol>${items}</ol>
</nav>`;
}

function renderQuestion(item: FaqInput): SafeHtml {
  return html`<section class="faq-item" id="faq-${item.key}" aria-labelledby="faq-${item.key}-question">
<h2 id="faq-${item.key}-question">${item.question}</h2>
<div class="faq-answer">${renderParagraphs(item.answer)}</div>
</section>`;
}

export function renderFaqPage(ctx: PageContext): string {
  const { profile, faq } = ctx.snapshot.content;
  const lead = `Answers to common security and privacy questions about ${profile.companyName}.`;
  const body =
    faq.length === 0
      ? html`<p class="empty-state">No questions have been published yet.</p>`
      : html`<div class="faq-layout">
${renderIndex(faq)}
<div class="faq-list">
${faq.map(renderQuestion)}
</div>
</div>`;
  return renderTrustCenterPage({
    ctx,
    page: 'faq',
    pageTitle: 'Frequently Asked Questions',
    description: `${pluralize(faq.length, 'answered question')} about security and privacy at ${profile.companyName}.`,
    main: html`${renderPageHeader(`${profile.companyName} Trust Center`, 'Frequently Asked Questions', lead)}
<form class="answers-form" method="get" action="${ctx.basePath}/answers" role="search" aria-label="Search our answers">
<p><label for="faq-answers-q">Search our answers</label><br>
<input id="faq-answers-q" name="q" type="search" required maxlength="300"> <button type="submit">Search</button></p>
</form>
${body}`,
  });
}
