import type { ExportView } from '@attest/modules/tenant-export/tenant-export.contract.js';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.js';
import { Badge, formatDateTime } from '../../ui/badges.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice, Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';

const EXPORTS_KEY = ['exports'] as const;

const stateLabels: Record<ExportView['state'], [string, 'success' | 'warning' | 'danger' | 'neutral']> = {
  queued: ['Waiting for the worker', 'neutral'],
  running: ['Running', 'warning'],
  done: ['Ready to download', 'success'],
  failed: ['Failed', 'danger'],
  downloaded: ['Downloaded', 'neutral'],
  expired: ['Expired', 'neutral'],
};

function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * The complete export of the trust center (owners): start one, follow its progress, download it
 * once through a short-lived link. The worker builds the archive; this page polls while it runs.
 */
export function ExportsPage() {
  const queryClient = useQueryClient();
  const exports = useQuery({
    queryKey: EXPORTS_KEY,
    queryFn: () => api.get<{ items: ExportView[] }>('/exports'),
    refetchInterval: (query) =>
      query.state.data?.items.some((item) => item.state === 'queued' || item.state === 'running')
        ? 2000
        : false,
  });
  const start = useMutation({
    mutationFn: () => api.post<ExportView>('/exports'),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: EXPORTS_KEY }),
  });
  const download = useMutation({
    mutationFn: (id: string) => api.post<{ url: string; expiresAt: string }>(`/exports/${id}/link`),
    onSuccess: (link) => {
      // The link is the API's; the console reaches the API through the BFF with its session.
      window.location.assign(link.url.replace(/^\/api\/v1/, '/bff/api'));
      setTimeout(() => void queryClient.invalidateQueries({ queryKey: EXPORTS_KEY }), 3000);
    },
  });
  const items = exports.data?.items ?? [];
  const busy = items.some((item) => item.state === 'queued' || item.state === 'running');

  return (
    <>
      <PageHeader
        title="Export"
        description="Everything this trust center holds as one ZIP file: content, published versions, documents with every version, updates, subscribers, access requests and grants, members (without passwords) and the audit log."
      />
      <p>
        <button
          type="button"
          className="button button-primary"
          disabled={busy || start.isPending}
          onClick={() => start.mutate()}
        >
          {busy ? 'An export is under way' : 'Start an export'}
        </button>
      </p>
      <ErrorNotice error={start.error ?? download.error} />
      <Notice>
        A finished export can be downloaded once per link; a link works for 15 minutes. The file is removed
        after its first complete download, or after a day.
      </Notice>
      {exports.isPending && <ListState state="loading" />}
      {exports.isError && <ListState state="error" error={exports.error} onRetry={() => exports.refetch()} />}
      {exports.data && items.length === 0 && <p>No export yet.</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Exports, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">State</th>
                <th scope="col">Progress</th>
                <th scope="col">Size</th>
                <th scope="col">
                  <span className="visually-hidden">Download</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => {
                const [label, tone] = stateLabels[item.state];
                return (
                  <tr key={item.id}>
                    <td>{formatDateTime(item.createdAt)}</td>
                    <td>
                      <Badge tone={tone}>{label}</Badge>
                      {item.error && <div className="muted">{item.error}</div>}
                    </td>
                    <td>
                      <progress
                        max={100}
                        value={item.progress.percent}
                        aria-label={`Export started ${formatDateTime(item.createdAt)}: ${item.progress.percent}%`}
                      />{' '}
                      {item.progress.percent}%
                    </td>
                    <td>
                      {formatBytes(
                        item.sizeBytes ?? (item.state === 'running' ? item.progress.bytesDone : null),
                      )}
                    </td>
                    <td>
                      {item.state === 'done' && (
                        <button
                          type="button"
                          className="button button-small"
                          disabled={download.isPending}
                          onClick={() => download.mutate(item.id)}
                        >
                          Download
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
