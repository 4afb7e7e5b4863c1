/*
 * The public trust center as HTML documents. Pure functions of a published snapshot: they read
 * nothing else, so every visitor of a version sees exactly the same bytes and pages can be cached.
 */
export { renderDocumentsPage } from './pages/documents-page.js';
export { renderFaqPage } from './pages/faq-page.js';
export type { PageContext } from './pages/layout.js';
export { renderNotFoundPage } from './pages/not-found-page.js';
export { renderOverviewPage } from './pages/overview-page.js';
export { type PageName, type PagePaths, pagePaths } from './pages/paths.js';
export { renderSecurityPage } from './pages/security-page.js';
export { renderSubprocessorsPage } from './pages/subprocessors-page.js';
export { renderUpdatesPage } from './pages/updates-page.js';
