import { type AuditFilter, auditActions, auditFilter } from '@attest/modules/audit/audit.contract.js';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, apiPath } from '../../api/client.js';
import type { AuditEvent, AuditVerification } from '../../api/types.js';
import { formatDateTime } from '../../ui/badges.js';
import { Field } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice, Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';

interface Draft {
  action: string;
  actorId: string;
  targetType: string;
  from: string;
  to: string;
}

const emptyDraft: Draft = { action: '', actorId: '', targetType: '', from: '', to: '' };

/** datetime-local gives local wall time without a zone; the API wants an instant. */
function toInstant(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

function toFilter(draft: Draft) {
  return auditFilter.safeParse({
    action: draft.action || undefined,
    actorId: draft.actorId.trim() || undefined,
    targetType: draft.targetType.trim() || undefined,
    from: toInstant(draft.from),
    to: toInstant(draft.to),
  });
}

function describeEvent(event: AuditEvent): string {
  const details = Object.entries(event.details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
  return details || '—';
}

export function AuditPage() {
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [filter, setFilter] = useState<AuditFilter>({});
  const [submitted, setSubmitted] = useState(false);
  const parsed = toFilter(draft);
  const errors: Record<string, string> = {};
  for (const issue of parsed.error?.issues ?? []) errors[issue.path.join('.')] ??= issue.message;

  const events = useInfiniteQuery({
    queryKey: ['audit', filter],
    queryFn: ({ pageParam }) =>
      api.get<{ events: AuditEvent[]; nextBefore: number | null }>('/audit-events', {
        ...filter,
        limit: 50,
        before: pageParam,
      }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
  const verify = useMutation({ mutationFn: () => api.get<AuditVerification>('/audit-events/verification') });

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (parsed.success) setFilter(parsed.data);
  };
  const exportQuery = Object.fromEntries(
    Object.entries(filter).filter(([, value]) => value !== undefined),
  ) as Record<string, string>;
  const rows = events.data?.pages.flatMap((page) => page.events) ?? [];
  const text = (name: keyof Draft, label: string, type = 'text') => (
    <Field
      id={`audit-${name}`}
      path={name}
      label={label}
      error={submitted || draft[name] ? errors[name] : undefined}
    >
      {(aria) => (
        <input
          {...aria}
          className="input"
          type={type}
          value={draft[name]}
          onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
        />
      )}
    </Field>
  );

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every security-relevant action, append-only and hash-chained."
        actions={
          <>
            <a
              className="button"
              href={apiPath('/audit-events/export', { ...exportQuery, format: 'csv' })}
              download
            >
              Export CSV
            </a>
            <a
              className="button"
              href={apiPath('/audit-events/export', { ...exportQuery, format: 'jsonl' })}
              download
            >
              Export JSON lines
            </a>
            <button
              type="button"
              className="button"
              onClick={() => verify.mutate()}
              disabled={verify.isPending}
            >
              {verify.isPending ? 'Verifying…' : 'Verify the chain'}
            </button>
          </>
        }
      />
      <div className="stack">
        {verify.data?.ok === true && (
          <Notice tone="success">The hash chain is intact ({verify.data.events} events).</Notice>
        )}
        {verify.data?.ok === false && (
          <Notice tone="error">
            The chain is broken at event {verify.data.brokenAt} ({verify.data.reason}).
          </Notice>
        )}
        <ErrorNotice error={verify.error} />
        <search aria-label="Filter the audit log">
          <form className="toolbar" onSubmit={apply} noValidate>
            <Field id="audit-action" path="action" label="Action" error={undefined}>
              {(aria) => (
                <select
                  {...aria}
                  className="select"
                  value={draft.action}
                  onChange={(event) => setDraft({ ...draft, action: event.target.value })}
                >
                  <option value="">Any action</option>
                  {auditActions.map((action) => (
                    <option key={action} value={action}>
                      {action}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {text('actorId', 'Actor id')}
            {text('targetType', 'Target type')}
            {text('from', 'From', 'datetime-local')}
            {text('to', 'Until', 'datetime-local')}
            <div className="actions">
              <button type="submit" className="button button-primary">
                Apply filters
              </button>
              <button
                type="button"
                className="button"
                onClick={() => {
                  setDraft(emptyDraft);
                  setFilter({});
                  setSubmitted(false);
                }}
              >
                Clear
              </button>
            </div>
          </form>
        </search>
        {events.isPending && <ListState state="loading" label="Loading events…" />}
        {events.isError && <ListState state="error" error={events.error} onRetry={() => events.refetch()} />}
        {events.data && rows.length === 0 && (
          <ListState state="empty">No event matches these filters.</ListState>
        )}
        {rows.length > 0 && (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Target</th>
                  <th scope="col">Client</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((event) => (
                  <tr key={event.seq}>
                    <td>{event.seq}</td>
                    <td>{formatDateTime(event.occurredAt)}</td>
                    <td className="mono">{event.action}</td>
                    <td className="mono">
                      {event.actor.kind}:{event.actor.id.slice(0, 8)}
                    </td>
                    <td className="mono">
                      {event.target ? `${event.target.type}:${event.target.id.slice(0, 8)}` : '—'}
                    </td>
                    <td>{event.client ?? '—'}</td>
                    <td>{describeEvent(event)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {events.hasNextPage && (
          <button
            type="button"
            className="button"
            onClick={() => events.fetchNextPage()}
            disabled={events.isFetchingNextPage}
          >
            {events.isFetchingNextPage ? 'Loading…' : 'Show older events'}
          </button>
        )}
      </div>
    </>
  );
}
