import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { ALL, api, type Page } from '../../api/client.js';
import type { SnapshotSummary } from '../../api/types.js';
import { useCan, useMe } from '../../auth/session.js';
import { formatDateTime } from '../../ui/badges.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice, Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { CONTENT_KEY, useDraftChanges } from '../content-queries.js';
import { useEvidenceCoverage } from '../controls/evidence-coverage-card.js';
import { ChangeList } from './change-list.js';
import { ImportExport } from './import-export.js';

const SNAPSHOTS_KEY = [...CONTENT_KEY, 'snapshots'];

/** Publish the draft: what will change, the button, and every version published so far. */
export function PublishPage() {
  const me = useMe();
  const can = useCan();
  const queryClient = useQueryClient();
  const changes = useDraftChanges();
  const snapshots = useQuery({
    queryKey: SNAPSHOTS_KEY,
    queryFn: () => api.get<Page<SnapshotSummary>>('/snapshots', ALL),
  });
  const [published, setPublished] = useState<number | null>(null);
  const publish = useMutation({
    mutationFn: () => api.post<{ version: number; changed: boolean }>('/publish'),
    onSuccess: async (result) => {
      setPublished(result.version);
      await queryClient.invalidateQueries({ queryKey: CONTENT_KEY });
    },
  });
  const pending = changes.data?.changes.length ?? 0;
  const publicUrl = `/t/${me.tenant.slug}`;

  return (
    <>
      <PageHeader
        title="Publish"
        description="Nothing in the draft is public until it is published as a new version."
      />
      <div className="stack-lg">
        <UnevidencedBeforePublish />
        <section className="card stack" aria-labelledby="changes-heading">
          <h2 id="changes-heading">Changes since the last version</h2>
          {changes.isPending && (
            <ListState state="loading" label="Comparing the draft with the published version…" />
          )}
          {changes.isError && (
            <ListState state="error" error={changes.error} onRetry={() => changes.refetch()} />
          )}
          {changes.data && pending === 0 && (
            <ListState state="empty">
              The draft is the same as published version {changes.data.publishedVersion ?? '—'}. There is
              nothing to publish.
            </ListState>
          )}
          {changes.data && pending > 0 && (
            <>
              <p>
                {pending} change{pending === 1 ? '' : 's'} against{' '}
                {changes.data.publishedVersion
                  ? `version ${changes.data.publishedVersion}`
                  : 'an empty trust center'}
                . <Link to="/preview">Preview the result</Link>.
              </p>
              <ChangeList changes={changes.data.changes} />
            </>
          )}
          {publish.isPending && (
            <div role="status" className="stack">
              <p>Publishing a new version…</p>
              <progress className="progress" aria-label="Publishing" />
            </div>
          )}
          {published !== null && !publish.isPending && (
            <Notice tone="success">
              <p>
                Version {published} is live.{' '}
                <a href={`${publicUrl}/security`}>Open the public trust center</a>.
              </p>
            </Notice>
          )}
          <ErrorNotice error={publish.error} />
          {can('content:publish') && (
            <div className="actions">
              <button
                type="button"
                className="button button-primary"
                disabled={pending === 0 || publish.isPending}
                aria-busy={publish.isPending || undefined}
                onClick={() => {
                  setPublished(null);
                  publish.mutate();
                }}
              >
                {publish.isPending ? 'Publishing…' : 'Publish now'}
              </button>
            </div>
          )}
        </section>

        <section className="stack" aria-labelledby="history-heading">
          <h2 id="history-heading">Published versions</h2>
          {snapshots.isPending && <ListState state="loading" label="Loading versions…" />}
          {snapshots.isError && (
            <ListState state="error" error={snapshots.error} onRetry={() => snapshots.refetch()} />
          )}
          {snapshots.data && snapshots.data.items.length === 0 && (
            <ListState state="empty">Nothing has been published yet.</ListState>
          )}
          {snapshots.data && snapshots.data.items.length > 0 && (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Published</th>
                    <th scope="col">By</th>
                    <th scope="col">Content hash (SHA-256)</th>
                  </tr>
                </thead>
                <tbody>
                  {snapshots.data.items.map((snapshot) => (
                    <tr key={snapshot.version}>
                      <td>{snapshot.version}</td>
                      <td>{formatDateTime(snapshot.publishedAt)}</td>
                      <td className="mono">{snapshot.publishedBy}</td>
                      <td className="mono">{snapshot.contentSha256.slice(0, 16)}…</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <ImportExport />
      </div>
    </>
  );
}

/** Publishing goes ahead, but says which implemented controls name no evidence (decision 0031). */
function UnevidencedBeforePublish() {
  const coverage = useEvidenceCoverage();
  const unevidenced = coverage.data?.unevidenced ?? [];
  if (unevidenced.length === 0) return null;
  return (
    <Notice tone="warning">
      {unevidenced.length} implemented control{unevidenced.length === 1 ? ' names' : 's name'} no evidence and
      will be published without any:{' '}
      {unevidenced.slice(0, 5).map((control, index) => (
        <span key={control.id}>
          {index > 0 && ', '}
          <Link to={`/controls/${control.id}`}>{control.title}</Link>
        </span>
      ))}
      {unevidenced.length > 5 && ' …'}
    </Notice>
  );
}
