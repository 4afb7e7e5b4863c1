import { decisionInput } from '@attest/modules/documents/access.contract.js';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { z } from 'zod';
import { api, type Page } from '../../api/client.js';
import { Badge, formatDate, formatDateTime } from '../../ui/badges.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { Field } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import {
  ACCESS_KEY,
  type AccessRequestOutput,
  CHANGED_BY_VISITORS,
  type Grant,
  OUTBOX_KEY,
  useAccessRules,
  useActorName,
  useDocumentTitles,
} from './documents-queries.js';

const REQUESTS_KEY = [...ACCESS_KEY, 'requests'] as const;
const daysField = decisionInput.shape.days;
const documentsField = z.array(z.uuid()).min(1, 'Choose at least one document to share.');

type Decided = { request: AccessRequestOutput; grant: Grant | null };

function NdaAccepted({ nda }: { nda: AccessRequestOutput['nda'] }) {
  if (!nda) return <span className="muted">No NDA was in place</span>;
  return (
    <>
      Version {nda.version}, accepted {formatDateTime(nda.acceptedAt)}
      <div>
        <code className="hash" title={`SHA-256 of the accepted text: ${nda.sha256}`}>
          SHA-256 {nda.sha256}
        </code>
      </div>
    </>
  );
}

/** Requests for gated documents: the pending ones to decide, then those already decided. */
export function AccessRequestsPage() {
  const queryClient = useQueryClient();
  const pending = useQuery({
    queryKey: [...REQUESTS_KEY, 'pending'],
    queryFn: () => api.get<Page<AccessRequestOutput>>('/access-requests', { status: 'pending', limit: 200 }),
    staleTime: CHANGED_BY_VISITORS,
  });
  const [outcome, setOutcome] = useState<Decided | null>(null);
  const pendingHeading = useRef<HTMLHeadingElement>(null);
  const decided = async (result: Decided) => {
    setOutcome(result);
    // The decided request leaves the list: focus goes to the list's heading, not to the page's top.
    requestAnimationFrame(() => pendingHeading.current?.focus());
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ACCESS_KEY }),
      queryClient.invalidateQueries({ queryKey: OUTBOX_KEY }),
    ]);
  };
  const waiting = pending.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Access requests"
        description="Security reviewers ask for documents marked “On request” after accepting your NDA. Approving e-mails them a single-use link to a session that ends with the grant."
      />
      <div className="stack-lg">
        <div role="status">
          {outcome && (
            <p className="notice notice-success">
              {outcome.grant
                ? `Approved ${outcome.request.name} (${outcome.request.email}) until ${formatDate(outcome.grant.expiresAt)}. The link was e-mailed to them.`
                : `Denied the request of ${outcome.request.name} (${outcome.request.email}).`}
            </p>
          )}
        </div>
        <section className="stack" aria-labelledby="pending-heading">
          <h2 id="pending-heading" ref={pendingHeading} tabIndex={-1}>
            Waiting for a decision{pending.data ? ` (${pending.data.total})` : ''}
          </h2>
          {pending.isPending && <ListState state="loading" label="Loading requests…" />}
          {pending.isError && (
            <ListState state="error" error={pending.error} onRetry={() => pending.refetch()} />
          )}
          {pending.data && waiting.length === 0 && (
            <ListState state="empty">No request is waiting for a decision.</ListState>
          )}
          {waiting.map((request) => (
            <PendingRequest key={request.id} request={request} onDecided={decided} />
          ))}
        </section>
        <DecidedRequests />
      </div>
    </>
  );
}

function PendingRequest({
  request,
  onDecided,
}: {
  request: AccessRequestOutput;
  onDecided: (result: Decided) => Promise<void>;
}) {
  const titles = useDocumentTitles();
  const rules = useAccessRules();
  const [days, setDays] = useState<string>('');
  // Staff may share fewer documents than were asked for, never others.
  const [chosen, setChosen] = useState<string[]>(request.documentIds);
  const [submitted, setSubmitted] = useState(false);
  const decide = useMutation({
    mutationFn: (body: { decision: 'approve' | 'deny'; days?: number; documentIds?: string[] }) =>
      api.post<Decided>(`/access-requests/${request.id}/decision`, body),
    onSuccess: onDecided,
  });
  const parsedDays = daysField.safeParse(days === '' ? undefined : Number(days));
  const daysError =
    (submitted || days !== '') && !parsedDays.success ? parsedDays.error.issues[0]?.message : undefined;
  const headingId = `request-${request.id}`;
  const parsedDocuments = documentsField.safeParse(chosen);
  const documentsError =
    submitted && !parsedDocuments.success ? parsedDocuments.error.issues[0]?.message : undefined;
  const approve = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!parsedDays.success || !parsedDocuments.success || decide.isPending) return;
    decide.mutate({
      decision: 'approve',
      documentIds: chosen,
      ...(parsedDays.data ? { days: parsedDays.data } : {}),
    });
  };
  return (
    <article className="card stack" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {request.name} <span className="muted">· {request.company}</span>
      </h3>
      <dl className="dl">
        <div>
          <dt>Work e-mail</dt>
          <dd>{request.email}</dd>
        </div>
        <div>
          <dt>Company</dt>
          <dd>{request.company}</dd>
        </div>
        <div>
          <dt>Reason</dt>
          <dd className="pre-line">{request.reason || '—'}</dd>
        </div>
        <div>
          <dt>NDA</dt>
          <dd>
            <NdaAccepted nda={request.nda} />
          </dd>
        </div>
        <div>
          <dt>Received</dt>
          <dd>{formatDateTime(request.createdAt)}</dd>
        </div>
      </dl>
      <form
        className="stack"
        onSubmit={approve}
        noValidate
        aria-label={`Decide on ${request.name}'s request`}
      >
        <fieldset aria-describedby={documentsError ? `documents-${request.id}-error` : undefined}>
          <legend>Documents to share</legend>
          <div className="checks">
            {request.documentIds.map((id) => (
              <label className="check" key={id} htmlFor={`share-${request.id}-${id}`}>
                <input
                  id={`share-${request.id}-${id}`}
                  type="checkbox"
                  checked={chosen.includes(id)}
                  onChange={(event) =>
                    setChosen(
                      event.target.checked
                        ? request.documentIds.filter(
                            (candidate) => candidate === id || chosen.includes(candidate),
                          )
                        : chosen.filter((candidate) => candidate !== id),
                    )
                  }
                />
                {titles(id)}
              </label>
            ))}
          </div>
          {documentsError && (
            <p className="field-error" id={`documents-${request.id}-error`}>
              {documentsError}
            </p>
          )}
        </fieldset>
        <div className="toolbar">
          <Field
            id={`days-${request.id}`}
            path="days"
            label="Access lasts (days)"
            hint={
              rules.data
                ? `Leave empty for your default of ${rules.data.grantDays} days.`
                : 'Leave empty for your default.'
            }
            error={daysError}
          >
            {(aria) => (
              <input
                {...aria}
                className="input input-inline"
                type="number"
                min={1}
                max={365}
                value={days}
                onChange={(event) => setDays(event.target.value)}
              />
            )}
          </Field>
          <div className="actions">
            <button
              type="submit"
              className="button button-primary"
              disabled={decide.isPending}
              aria-busy={decide.isPending || undefined}
            >
              {decide.isPending && decide.variables?.decision === 'approve' ? 'Approving…' : 'Approve'}
            </button>
            <ConfirmButton
              label="Deny"
              question={`Deny ${request.name}'s request? They are not told why.`}
              onConfirm={() => decide.mutate({ decision: 'deny' })}
              pending={decide.isPending}
            />
          </div>
        </div>
      </form>
      <ErrorNotice error={decide.error} />
    </article>
  );
}

const outcomeTones = { approved: 'success', denied: 'danger', pending: 'warning' } as const;

function DecidedRequests() {
  const actorName = useActorName();
  const requests = useInfiniteQuery({
    queryKey: [...REQUESTS_KEY, 'all'],
    queryFn: ({ pageParam }) =>
      api.get<Page<AccessRequestOutput>>('/access-requests', { limit: 100, offset: pageParam }),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextOffset ?? undefined,
    staleTime: CHANGED_BY_VISITORS,
  });
  const rows = (requests.data?.pages.flatMap((page) => page.items) ?? []).filter(
    (request) => request.status !== 'pending',
  );
  return (
    <section className="stack" aria-labelledby="decided-heading">
      <h2 id="decided-heading">Decided</h2>
      {requests.isPending && <ListState state="loading" label="Loading decided requests…" />}
      {requests.isError && (
        <ListState state="error" error={requests.error} onRetry={() => requests.refetch()} />
      )}
      {requests.data && rows.length === 0 && (
        <ListState state="empty">No request has been decided yet.</ListState>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Requested by</th>
                <th scope="col">Company</th>
                <th scope="col">Documents</th>
                <th scope="col">NDA</th>
                <th scope="col">Outcome</th>
                <th scope="col">Decided</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((request) => (
                <tr key={request.id}>
                  <td>
                    {request.name}
                    <div className="muted">{request.email}</div>
                  </td>
                  <td>{request.company}</td>
                  <td>{request.documentIds.length}</td>
                  <td>{request.nda ? `Version ${request.nda.version}` : '—'}</td>
                  <td>
                    <Badge tone={outcomeTones[request.status]}>{request.status}</Badge>
                  </td>
                  <td>
                    {formatDateTime(request.decidedAt)}
                    <div className="muted">
                      {request.decisionSource === 'rule'
                        ? 'by a domain rule'
                        : request.decidedBy
                          ? `by ${actorName(request.decidedBy)}`
                          : ''}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {requests.hasNextPage && (
        <button
          type="button"
          className="button"
          onClick={() => requests.fetchNextPage()}
          disabled={requests.isFetchingNextPage}
        >
          {requests.isFetchingNextPage ? 'Loading…' : 'Show older requests'}
        </button>
      )}
    </section>
  );
}
