import type { PreviewPage, RenderPreview } from '../modules/publishing/draft-changes.js';
import { loadStylesheet } from './assets.js';
import {
  type PageContext,
  renderFaqPage,
  renderOverviewPage,
  renderSecurityPage,
  renderSubprocessorsPage,
} from './pages.js';

const renderers: Record<PreviewPage, (ctx: PageContext) => string> = {
  overview: renderOverviewPage,
  security: renderSecurityPage,
  subprocessors: renderSubprocessorsPage,
  faq: renderFaqPage,
};

/** The console's draft preview: the draft through the very renderers of the published pages. */
export const renderDraftPreview: RenderPreview = (page, view) =>
  renderers[page]({ ...view, stylesheetHref: loadStylesheet().href });
