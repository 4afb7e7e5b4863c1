/** The pages of a public trust center; each exists as HTML, JSON (.json) and Markdown (.md). */
export type PageName =
  | 'overview'
  | 'security'
  | 'documents'
  | 'subprocessors'
  | 'faq'
  | 'updates'
  /** Live, not from the snapshot: src/public/evidence.routes.ts. */
  | 'evidence'
  /** Live uptime of the tenant's own services: src/public/status.routes.ts. */
  | 'status';

export interface PagePaths {
  html: string;
  json: string;
  markdown: string;
}

/**
 * Where a page lives, relative to the host. basePath is '/t/demo' on the platform's host and ''
 * on a custom domain; the overview's HTML sits at the base itself (or '/').
 */
export function pagePaths(basePath: string, page: PageName): PagePaths {
  const base = basePath.replace(/\/+$/, '');
  return {
    html: page === 'overview' ? base || '/' : `${base}/${page}`,
    json: `${base}/${page}.json`,
    markdown: `${base}/${page}.md`,
  };
}
