import { html } from '../../platform/text/html.js';
import { renderDocument } from './layout.js';

/**
 * The same page answers every unknown address, whichever tenant it named, so it carries no tenant
 * data: it must not reveal whether a trust center exists.
 */
export function renderNotFoundPage(options: { stylesheetHref: string; homeHref?: string }): string {
  return renderDocument({
    title: 'Page not found · Trust Center',
    description: 'The page you were looking for could not be found.',
    stylesheetHref: options.stylesheetHref,
    alternates: null,
    body: html`<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header">
<div class="container site-header-inner">
<span class="brand"><span class="brand-suffix">Trust Center</span></span>
</div>
</header>
<main id="main" class="container not-found">
<div class="page-header">
<p class="eyebrow">Error 404</p>
<h1>Page not found</h1>
<p class="lead">This page doesn’t exist or is no longer published.</p>
</div>
<p>Check the address for typing mistakes, or <a href="${options.homeHref ?? '/'}">go to the start page</a>.</p>
</main>
<footer class="site-footer">
<div class="container site-footer-inner">
<p class="powered-by">Powered by Attest</p>
</div>
</footer>`,
  });
}
