import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client.js';
import { useCan } from '../../auth/session.js';
import { Badge, formatDateTime } from '../../ui/badges.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice, Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { LoadMore } from './load-more.js';
import { type NoticeView, rowsOf, UPDATES_KEY, useNotices } from './updates-queries.js';

const stateLabels: Record<NoticeView['state'], string> = {
  pending: 'Waiting',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
};
const stateTones = { pending: 'neutral', sending: 'warning', sent: 'success', failed: 'danger' } as const;
const topicLabels: Record<NoticeView['topic'], string> = {
  subprocessors: 'Subprocessor changes',
  incidents: 'Incidents',
  general: 'All updates',
};

/** A notice's mails by delivery state; states with no mail are left out. */
function DeliveryCounts({ delivery }: { delivery: NoticeView['delivery'] }) {
  const parts = [
    delivery.sent > 0 && `${delivery.sent} sent`,
    delivery.pending > 0 && `${delivery.pending} waiting`,
    delivery.failed > 0 && `${delivery.failed} failed`,
    delivery.stored > 0 && `${delivery.stored} kept in the outbox (no mail server configured)`,
  ].filter(Boolean);
  return (
    <span className={delivery.failed > 0 ? 'delivery delivery-failed' : 'delivery'}>
      {parts.join(', ') || '—'}
    </span>
  );
}

/** Notices to subscribers (one per published post or announced change) and how their delivery went. */
export function NoticesPage() {
  const can = useCan();
  const queryClient = useQueryClient();
  const notices = useNotices();
  const retry = useMutation({
    mutationFn: (notice: NoticeView) => api.post<NoticeView>(`/notices/${notice.id}/retry`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: UPDATES_KEY }),
  });
  const list = rowsOf(notices.data);
  const total = notices.data?.pages[0]?.total ?? 0;
  // The column is there only when there is something to retry.
  const retriable = can('updates:write') && list.some((notice) => notice.state === 'failed');
  const counts = {
    sent: list.filter((notice) => notice.state === 'sent').length,
    open: list.filter((notice) => notice.state === 'pending' || notice.state === 'sending').length,
    failed: list.filter((notice) => notice.state === 'failed').length,
  };
  return (
    <>
      <PageHeader
        title="Notices"
        description="Each published update and announced subprocessor change is e-mailed to the confirmed subscribers of its topic. This is how those deliveries went."
      />
      <div className="stack">
        {retry.isSuccess && (
          <Notice tone="success">
            The notice is being sent again. Subscribers who already have it do not get it twice.
          </Notice>
        )}
        <ErrorNotice error={retry.error} />
        {notices.isPending && <ListState state="loading" label="Loading notices…" />}
        {notices.isError && (
          <ListState state="error" error={notices.error} onRetry={() => notices.refetch()} />
        )}
        {notices.data && list.length === 0 && (
          <ListState state="empty">
            No notice yet. Publishing an update or announcing a subprocessor change sends one.
          </ListState>
        )}
        {list.length > 0 && (
          <>
            {/* The counts are of the rows loaded so far: the list is read a page at a time. */}
            {total > list.length && (
              <p className="muted">
                Counts of the {list.length} most recent notices of {total}.
              </p>
            )}
            <dl className="counts">
              <div>
                <dt>Sent</dt>
                <dd>{counts.sent}</dd>
              </div>
              <div>
                <dt>Waiting or sending</dt>
                <dd>{counts.open}</dd>
              </div>
              <div>
                <dt>Failed</dt>
                <dd>{counts.failed}</dd>
              </div>
            </dl>
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">Notices, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Subject</th>
                    <th scope="col">Topic</th>
                    <th scope="col">State</th>
                    <th scope="col">Recipients</th>
                    <th scope="col">Delivery</th>
                    <th scope="col">Created</th>
                    <th scope="col">Completed</th>
                    {retriable && (
                      <th scope="col" className="cell-actions">
                        Actions
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {list.map((notice) => (
                    <tr key={notice.id}>
                      <td>
                        {notice.updateId ? (
                          <Link to={`/updates/${notice.updateId}`}>{notice.subject}</Link>
                        ) : (
                          notice.subject
                        )}
                      </td>
                      <td>{topicLabels[notice.topic]}</td>
                      <td>
                        <Badge tone={stateTones[notice.state]}>{stateLabels[notice.state]}</Badge>
                        {notice.state === 'failed' && notice.lastError === 'mail:failed' && (
                          <p className="muted cell-note">
                            {notice.delivery.failed} mails failed; once the cause is fixed, retry sends them
                            again.
                          </p>
                        )}
                        {notice.state === 'failed' &&
                          notice.lastError &&
                          notice.lastError !== 'mail:failed' && (
                            <p className="muted cell-note">
                              After {notice.attempts} attempts: <code>{notice.lastError}</code>
                            </p>
                          )}
                      </td>
                      <td>{notice.recipients}</td>
                      <td>
                        <DeliveryCounts delivery={notice.delivery} />
                      </td>
                      <td>{formatDateTime(notice.createdAt)}</td>
                      <td>{formatDateTime(notice.completedAt)}</td>
                      {retriable && (
                        <td className="cell-actions">
                          {notice.state === 'failed' && (
                            <button
                              type="button"
                              className="button button-small"
                              aria-label={`Retry “${notice.subject}”`}
                              disabled={retry.isPending}
                              onClick={() => retry.mutate(notice)}
                            >
                              Retry
                            </button>
                          )}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <LoadMore query={notices} shown={list.length} total={total} />
            <p className="field-hint">
              Recipients counts the mails put in the outbox, one per confirmed subscriber; Delivery says how
              far they got. The outbox retries a mail the mail server could not take for the moment; retrying
              a failed notice sends only to subscribers who have no mail of it yet, and sends again the mails
              the mail server refused.
            </p>
          </>
        )}
      </div>
    </>
  );
}
