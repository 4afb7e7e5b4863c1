import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client.js';
import type { DraftPreview } from '../../api/types.js';
import { ListState } from '../../ui/list-state.js';
import { PageHeader } from '../../ui/page-header.js';
import { CONTENT_KEY } from '../content-queries.js';

const pages = [
  { page: 'overview', label: 'Overview' },
  { page: 'security', label: 'Security' },
  { page: 'subprocessors', label: 'Subprocessors' },
  { page: 'faq', label: 'FAQ' },
] as const;

/**
 * The draft rendered by the public site's own renderer on the server, shown in a sandboxed
 * srcdoc frame: no scripts may run in it (the sandbox grants none), and it keeps this origin only
 * so the public stylesheet loads under the same Content-Security-Policy.
 */
export function PreviewPage() {
  const [params] = useSearchParams();
  const current = pages.find((entry) => entry.page === params.get('page'))?.page ?? 'security';
  const preview = useQuery({
    queryKey: [...CONTENT_KEY, 'preview', current],
    queryFn: () => api.get<DraftPreview>('/draft/preview', { page: current }),
  });
  return (
    <>
      <PageHeader
        title="Preview"
        description="The draft exactly as the public pages will show it once published. Links inside the preview do not navigate."
        actions={
          <Link className="button button-primary" to="/publish">
            Go to publish
          </Link>
        }
      />
      <nav aria-label="Preview pages">
        <ul className="tabs">
          {pages.map((entry) => (
            <li key={entry.page}>
              <Link
                className="tab"
                to={`/preview?page=${entry.page}`}
                aria-current={entry.page === current ? 'page' : undefined}
              >
                {entry.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {preview.isPending && <ListState state="loading" label="Rendering the draft…" />}
      {preview.isError && <ListState state="error" error={preview.error} onRetry={() => preview.refetch()} />}
      {preview.data && (
        <iframe
          className="preview-frame"
          title={`Preview of the ${current} page`}
          sandbox="allow-same-origin"
          srcDoc={preview.data.html}
        />
      )}
    </>
  );
}
