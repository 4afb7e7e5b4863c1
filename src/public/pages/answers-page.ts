import type { Proposal } from '../../modules/knowledge-base/knowledge-base.contract.js';
import { html, type SafeHtml } from '../../platform/text/html.js';
import { type PageContext, renderPageHeader, renderTrustCenterPage } from './layout.js';
import { pagePaths } from './paths.js';

/** Longest search a visitor may type; longer is refused (400), never cut. */
export const MAX_SEARCH_LENGTH = 300;

const shortAnswers = { yes: 'Yes', no: 'No', not_applicable: 'Not applicable' } as const;

/** Where a result's source is shown in full on this trust center. */
function sourceLink(ctx: PageContext, proposal: Proposal): SafeHtml {
  const source = proposal.sources[0];
  if (!source) return html``;
  if (source.kind === 'control')
    return html`<a href="${pagePaths(ctx.basePath, 'security').html}#control-${source.key}">${source.title}</a>`;
  if (source.kind === 'faq')
    return html`<a href="${pagePaths(ctx.basePath, 'faq').html}#faq-${source.key}">${source.title}</a>`;
  return html`${source.title}`;
}

function renderResult(ctx: PageContext, proposal: Proposal): SafeHtml {
  const short = proposal.shortAnswer ? html`<strong>${shortAnswers[proposal.shortAnswer]}.</strong> ` : '';
  return html`<li class="answer-result">
<h2 class="answer-source">${sourceLink(ctx, proposal)}</h2>
<p>${short}${proposal.text}</p>
</li>`;
}

/**
 * "Search our answers": a plain GET form (works without JavaScript, can be bookmarked) and the
 * best matches among what this trust center published, each quoted as written, with its source.
 */
export function renderAnswersPage(
  ctx: PageContext,
  query: string,
  results: Proposal[] | null,
  problem?: string,
): string {
  const { profile } = ctx.snapshot.content;
  const action = `${ctx.basePath}/answers`;
  const found =
    results === null
      ? ''
      : results.length === 0
        ? html`<p role="status">No published answer matches “${query}”. Ask us at ${profile.securityContact || 'our security contact'}.</p>`
        : html`<p role="status">${results.length === 1 ? '1 answer' : `${results.length} answers`} for “${query}”.</p>
<ol class="answer-results">
${results.map((proposal) => renderResult(ctx, proposal))}
</ol>`;
  return renderTrustCenterPage({
    ctx,
    page: 'faq',
    pageTitle: 'Search our answers',
    description: `Answers to security questions from the ${profile.companyName} trust center.`,
    main: html`${renderPageHeader(
      `${profile.companyName} Trust Center`,
      'Search our answers',
      'Type a question from your security review; the answers below are quoted from what this trust center publishes.',
    )}
${problem ? html`<p class="form-error" role="alert">${problem}</p>` : ''}
<form class="answers-form" method="get" action="${action}" role="search">
<p><label for="answers-q">Your question</label><br>
<input id="answers-q" name="q" type="search" required maxlength="${MAX_SEARCH_LENGTH}" value="${query}"></p>
<p><button type="submit">Search</button></p>
</form>
${found}`,
  });
}
