import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Page } from '../../api/client.js';
import { Badge, formatDateTime } from '../../ui/badges.js';
import { ListState } from '../../ui/list-state.js';
import { PageHeader } from '../../ui/page-header.js';
import { type Subscriber, type SubscriberCounts, UPDATES_KEY } from './updates-queries.js';

const PAGE_SIZE = 50;
const topicLabels: Record<Subscriber['topics'][number], string> = {
  subprocessors: 'Subprocessor changes',
  incidents: 'Incidents',
  all: 'All updates',
};

/** Who subscribed to notices: counts by topic, and the list (personal data, for subscribers:read). */
export function SubscribersPage() {
  const [offset, setOffset] = useState(0);
  const counts = useQuery({
    queryKey: [...UPDATES_KEY, 'subscriber-counts'],
    queryFn: () => api.get<SubscriberCounts>('/subscribers/counts'),
  });
  const subscribers = useQuery({
    queryKey: [...UPDATES_KEY, 'subscribers', offset],
    queryFn: () => api.get<Page<Subscriber>>('/subscribers', { limit: PAGE_SIZE, offset }),
    placeholderData: keepPreviousData,
  });
  const list = subscribers.data?.items ?? [];
  const total = subscribers.data?.total ?? 0;
  return (
    <>
      <PageHeader
        title="Subscribers"
        description="People who asked for notices by e-mail on the public subscribe page. Only confirmed addresses receive notices; unconfirmed ones are deleted after a while."
      />
      <div className="stack-lg">
        <section className="stack" aria-labelledby="subscriber-counts-heading">
          <h2 id="subscriber-counts-heading">In numbers</h2>
          {counts.isPending && <ListState state="loading" label="Counting subscribers…" />}
          {counts.isError && (
            <ListState state="error" error={counts.error} onRetry={() => counts.refetch()} />
          )}
          {counts.data && (
            <>
              <dl className="counts">
                <div>
                  <dt>Confirmed</dt>
                  <dd>{counts.data.confirmed}</dd>
                </div>
                <div>
                  <dt>Not confirmed yet</dt>
                  <dd>{counts.data.pending}</dd>
                </div>
              </dl>
              <h3>Confirmed subscribers by topic</h3>
              <p className="field-hint">
                Everyone who chose “All updates” also receives incident and subprocessor notices.
              </p>
              <dl className="counts">
                {(['subprocessors', 'incidents', 'all'] as const).map((topic) => (
                  <div key={topic}>
                    <dt>{topicLabels[topic]}</dt>
                    <dd>{counts.data.byTopic[topic]}</dd>
                  </div>
                ))}
              </dl>
            </>
          )}
        </section>
        <section className="stack" aria-labelledby="subscriber-list-heading">
          <h2 id="subscriber-list-heading">Addresses</h2>
          {subscribers.isPending && <ListState state="loading" label="Loading subscribers…" />}
          {subscribers.isError && (
            <ListState state="error" error={subscribers.error} onRetry={() => subscribers.refetch()} />
          )}
          {subscribers.data && total === 0 && <ListState state="empty">Nobody has subscribed yet.</ListState>}
          {list.length > 0 && (
            <>
              <div className="table-wrap">
                <table className="table">
                  <caption className="visually-hidden">Subscribers, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">E-mail address</th>
                      <th scope="col">Topics</th>
                      <th scope="col">Status</th>
                      <th scope="col">Subscribed</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((subscriber) => (
                      <tr key={subscriber.id}>
                        <td>{subscriber.email}</td>
                        <td>{subscriber.topics.map((topic) => topicLabels[topic]).join(', ')}</td>
                        <td>
                          {subscriber.status === 'confirmed' ? (
                            <Badge tone="success">Confirmed</Badge>
                          ) : (
                            <Badge tone="neutral">Not confirmed</Badge>
                          )}
                        </td>
                        <td>{formatDateTime(subscriber.createdAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <nav className="actions" aria-label="Pages of subscribers">
                <button
                  type="button"
                  className="button button-small"
                  disabled={offset === 0}
                  onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
                >
                  Previous
                </button>
                <span className="muted" aria-live="polite">
                  {offset + 1}–{offset + list.length} of {total}
                </span>
                <button
                  type="button"
                  className="button button-small"
                  disabled={subscribers.data?.nextOffset == null}
                  onClick={() => setOffset(subscribers.data?.nextOffset ?? offset)}
                >
                  Next
                </button>
              </nav>
            </>
          )}
        </section>
      </div>
    </>
  );
}
