import { html, type SafeHtml } from '../../platform/text/html.js';
import { type PageContext, renderPageHeader, renderTrustCenterPage } from './layout.js';

/*
 * The no-JavaScript subscription pages: the form, "check your inbox", and the confirm and
 * unsubscribe steps. Links in mails open a page with a button (POST), because mail scanners
 * follow links: a GET never confirms or unsubscribes anything.
 */

function page(ctx: PageContext, title: string, lead: string, body: SafeHtml): string {
  const { profile } = ctx.snapshot.content;
  return renderTrustCenterPage({
    ctx,
    page: 'updates',
    pageTitle: title,
    description: lead,
    main: html`${renderPageHeader(`${profile.companyName} Trust Center`, title, lead)}
${body}`,
  });
}

export function renderSubscribePage(ctx: PageContext, problem?: string): string {
  return page(
    ctx,
    'Subscribe to updates',
    'Get an e-mail when a subprocessor changes, when a security incident affects customers, or for every update.',
    html`${problem ? html`<p class="form-error" role="alert">${problem}</p>` : ''}
<form class="subscribe-form" method="post" action="${ctx.basePath}/subscribe">
<p><label for="subscribe-email">E-mail address</label><br>
<input id="subscribe-email" name="email" type="email" required maxlength="254" autocomplete="email"></p>
<fieldset>
<legend>Notify me about</legend>
<p><label><input type="checkbox" name="topics" value="subprocessors" checked> Subprocessor changes (at least 30 days ahead)</label></p>
<p><label><input type="checkbox" name="topics" value="incidents" checked> Security incidents</label></p>
<p><label><input type="checkbox" name="topics" value="all"> All updates</label></p>
</fieldset>
<p><button type="submit">Subscribe</button></p>
</form>
<p>We send a confirmation link first; nothing else is sent until you open it. Every mail has a one-click unsubscribe link.</p>`,
  );
}

export function renderSubscribeSentPage(ctx: PageContext): string {
  return page(
    ctx,
    'Check your inbox',
    'If the address can receive notices, a confirmation link is on its way. Open it within 7 days to start your subscription.',
    html`<p><a href="${ctx.basePath}/updates">Back to the updates</a></p>`,
  );
}

export function renderConfirmPage(ctx: PageContext, token: string): string {
  return page(
    ctx,
    'Confirm your subscription',
    'One more step: confirm that you want to receive these notices.',
    html`<form method="post" action="${ctx.basePath}/subscribe/confirm">
<input type="hidden" name="token" value="${token}">
<p><button type="submit">Confirm subscription</button></p>
</form>`,
  );
}

export function renderConfirmedPage(ctx: PageContext): string {
  return page(
    ctx,
    'Subscription confirmed',
    'You will receive the notices you chose. Every mail has a link to unsubscribe with one click.',
    html`<p><a href="${ctx.basePath}/updates">See the latest updates</a></p>`,
  );
}

export function renderUnsubscribePage(ctx: PageContext, id: string, token: string): string {
  return page(
    ctx,
    'Unsubscribe',
    'Stop all notices from this trust center to your address.',
    html`<form method="post" action="${ctx.basePath}/unsubscribe?id=${encodeURIComponent(id)}&amp;token=${encodeURIComponent(token)}">
<p><button type="submit">Unsubscribe</button></p>
</form>`,
  );
}

export function renderUnsubscribedPage(ctx: PageContext): string {
  return page(
    ctx,
    'You are unsubscribed',
    'Your address has been deleted from this trust center’s notices. You will receive no more mails from it.',
    html`<p><a href="${ctx.basePath}/subscribe">Subscribe again</a></p>`,
  );
}

export function renderFormProblemPage(ctx: PageContext, title: string, message: string): string {
  return page(ctx, title, message, html`<p><a href="${ctx.basePath}/updates">Back to the updates</a></p>`);
}
