import { extendInput } from '@attest/modules/documents/access.contract.js';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.js';
import { Badge, formatDate, formatDateTime } from '../../ui/badges.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { ACCESS_KEY, type Grant, useDocumentTitles, useGrants } from './documents-queries.js';

const statusTones = { active: 'success', expired: 'neutral', revoked: 'danger' } as const;
const daysField = extendInput.shape.days;

/** Who may download what until when: extend a grant, or revoke it at once. */
export function GrantsPage() {
  const grants = useGrants();
  const titles = useDocumentTitles();
  const [message, setMessage] = useState('');
  const items = grants.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Grants"
        description="Access given to visitors, by an approval or a domain rule. Revoking ends the visitor's link, session and downloads at once."
      />
      <div className="stack-lg">
        <div role="status">{message && <p className="notice notice-success">{message}</p>}</div>
        {grants.isPending && <ListState state="loading" label="Loading grants…" />}
        {grants.isError && <ListState state="error" error={grants.error} onRetry={() => grants.refetch()} />}
        {grants.data && items.length === 0 && (
          <ListState state="empty">
            No access has been granted yet. Approve a request under{' '}
            <Link to="/access-requests">Access requests</Link>.
          </ListState>
        )}
        {items.length > 0 && (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Visitor</th>
                  <th scope="col">Documents</th>
                  <th scope="col">State</th>
                  <th scope="col">Access until</th>
                  <th scope="col">Link</th>
                  <th scope="col" className="cell-actions">
                    Actions
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((grant) => (
                  <tr key={grant.id}>
                    <td>
                      {grant.email}
                      <div className="muted">{grant.company}</div>
                    </td>
                    <td>
                      <ul className="plain-list">
                        {grant.documentIds.map((id) => (
                          <li key={id}>{titles(id)}</li>
                        ))}
                      </ul>
                    </td>
                    <td>
                      <Badge tone={statusTones[grant.status]}>{grant.status}</Badge>
                    </td>
                    <td>
                      {grant.status === 'revoked'
                        ? `Revoked ${formatDateTime(grant.revokedAt)}`
                        : formatDateTime(grant.expiresAt)}
                    </td>
                    <td>
                      {grant.linkUsedAt ? `Opened ${formatDateTime(grant.linkUsedAt)}` : 'Not opened yet'}
                    </td>
                    <td className="cell-actions">
                      {grant.status !== 'revoked' && <GrantActions grant={grant} onDone={setMessage} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </>
  );
}

function GrantActions({ grant, onDone }: { grant: Grant; onDone: (message: string) => void }) {
  const queryClient = useQueryClient();
  const [days, setDays] = useState('30');
  const [submitted, setSubmitted] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ACCESS_KEY });
  const extend = useMutation({
    mutationFn: (value: number) => api.post<Grant>(`/grants/${grant.id}/extend`, { days: value }),
    onSuccess: async (updated) => {
      onDone(`${grant.email} now has access until ${formatDate(updated.expiresAt)}.`);
      setSubmitted(false);
      await refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: () => api.delete(`/grants/${grant.id}`),
    onSuccess: async () => {
      onDone(`Revoked the access of ${grant.email}.`);
      await refresh();
    },
  });
  const parsed = daysField.safeParse(days === '' ? undefined : Number(days));
  const error =
    submitted || days !== '30' ? (parsed.success ? undefined : parsed.error.issues[0]?.message) : undefined;
  const inputId = `extend-${grant.id}`;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (parsed.success && !extend.isPending) extend.mutate(parsed.data);
  };
  return (
    <div className="stack">
      <form
        className="inline-form"
        onSubmit={submit}
        noValidate
        aria-label={`Extend the access of ${grant.email}`}
      >
        <label htmlFor={inputId}>
          Days to add<span className="visually-hidden"> for {grant.email}</span>
        </label>
        <input
          id={inputId}
          className="input input-narrow"
          type="number"
          min={1}
          max={365}
          value={days}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${inputId}-error` : undefined}
          onChange={(event) => setDays(event.target.value)}
        />
        <button type="submit" className="button button-small" disabled={extend.isPending}>
          {/* The visible words start the accessible name, pending or not (WCAG 2.5.3). */}
          {extend.isPending ? 'Extending…' : 'Extend'}
          <span className="visually-hidden"> the access of {grant.email}</span>
        </button>
        {error && (
          <p className="field-error" id={`${inputId}-error`}>
            {error}
          </p>
        )}
      </form>
      <div>
        <ConfirmButton
          label="Revoke"
          question={`Revoke the access of ${grant.email} now?`}
          onConfirm={() => revoke.mutate()}
          pending={revoke.isPending}
        />
      </div>
      <ErrorNotice error={extend.error ?? revoke.error} />
    </div>
  );
}
