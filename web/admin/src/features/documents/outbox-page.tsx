import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Page } from '../../api/client.js';
import { useCan } from '../../auth/session.js';
import { Badge, formatDateTime } from '../../ui/badges.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice, Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { CHANGED_BY_VISITORS, OUTBOX_KEY, type OutboxEntry } from './documents-queries.js';

const statusLabels: Record<
  OutboxEntry['status'],
  { label: string; tone: 'success' | 'warning' | 'danger' | 'neutral' }
> = {
  sent: { label: 'sent', tone: 'success' },
  pending: { label: 'waiting', tone: 'warning' },
  sending: { label: 'sending', tone: 'warning' },
  failed: { label: 'failed', tone: 'danger' },
  stored: { label: 'stored, not sent', tone: 'neutral' },
};

/** The mails the trust center sent (or keeps here when no mail server is set), newest first. */
export function OutboxPage() {
  const can = useCan();
  const mails = useInfiniteQuery({
    queryKey: OUTBOX_KEY,
    queryFn: ({ pageParam }) => api.get<Page<OutboxEntry>>('/outbox', { limit: 50, offset: pageParam }),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextOffset ?? undefined,
    staleTime: CHANGED_BY_VISITORS,
  });
  const queryClient = useQueryClient();
  const resend = useMutation({
    mutationFn: (mail: OutboxEntry) => api.post<OutboxEntry>(`/outbox/${mail.id}/resend`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: OUTBOX_KEY }),
  });
  const rows = mails.data?.pages.flatMap((page) => page.items) ?? [];
  const stored = rows.some((mail) => mail.status === 'stored');
  return (
    <>
      <PageHeader
        title="Mail outbox"
        description="Access links, notices to your team and subscriber updates, with their delivery state."
        actions={
          <button
            type="button"
            className="button"
            onClick={() => mails.refetch()}
            disabled={mails.isFetching}
          >
            {mails.isFetching && !mails.isPending ? 'Refreshing…' : 'Refresh'}
          </button>
        }
      />
      <div className="stack">
        {stored && (
          <Notice tone="warning">
            <p>
              No mail server is configured, so mails are kept here instead of being sent.
              {can('settings:manage')
                ? ' Open a mail to read it, e.g. to pass an access link on yourself.'
                : ' People who manage settings can read them here.'}
            </p>
          </Notice>
        )}
        {resend.isSuccess && (
          <Notice tone="success">The mail is being sent again, with the same Message-ID.</Notice>
        )}
        <ErrorNotice error={resend.error} />
        {mails.isPending && <ListState state="loading" label="Loading mails…" />}
        {mails.isError && <ListState state="error" error={mails.error} onRetry={() => mails.refetch()} />}
        {mails.data && rows.length === 0 && <ListState state="empty">No mail has been sent yet.</ListState>}
        {rows.length > 0 && (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">To</th>
                  <th scope="col">Subject</th>
                  <th scope="col">State</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((mail) => (
                  <tr key={mail.id}>
                    <td>{formatDateTime(mail.createdAt)}</td>
                    <td>{mail.to}</td>
                    <td>
                      {mail.text === null ? (
                        mail.subject
                      ) : (
                        <details className="mail">
                          <summary>{mail.subject}</summary>
                          <pre className="mail-body">{mail.text}</pre>
                        </details>
                      )}
                    </td>
                    <td>
                      <Badge tone={statusLabels[mail.status].tone}>{statusLabels[mail.status].label}</Badge>
                      {mail.sentAt && <div className="muted">{formatDateTime(mail.sentAt)}</div>}
                      {!mail.sentAt && mail.nextAttemptAt && mail.status !== 'stored' && (
                        <div className="muted">next try {formatDateTime(mail.nextAttemptAt)}</div>
                      )}
                    </td>
                    <td>{mail.attempts}</td>
                    <td>
                      <span className="mono">{mail.lastError ?? '—'}</span>
                      {mail.status === 'failed' && can('settings:manage') && (
                        <div>
                          <button
                            type="button"
                            className="button button-small"
                            aria-label={`Send “${mail.subject}” to ${mail.to} again`}
                            disabled={resend.isPending}
                            onClick={() => resend.mutate(mail)}
                          >
                            Send again
                          </button>
                        </div>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {mails.hasNextPage && (
          <button
            type="button"
            className="button"
            onClick={() => mails.fetchNextPage()}
            disabled={mails.isFetchingNextPage}
          >
            {mails.isFetchingNextPage ? 'Loading…' : 'Show older mails'}
          </button>
        )}
      </div>
    </>
  );
}
