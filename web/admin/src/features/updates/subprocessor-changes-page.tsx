import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useLocation } from 'react-router';
import { api } from '../../api/client.js';
import type { Subprocessor } from '../../api/types.js';
import { useCan, useMe } from '../../auth/session.js';
import { Badge, formatDate } from '../../ui/badges.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice, Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { useItems } from '../items/item-list.js';
import { LoadMore } from './load-more.js';
import { rowsOf, type SubprocessorChange, UPDATES_KEY, useSubprocessorChanges } from './updates-queries.js';

const stateLabels = { scheduled: 'Announced', applied: 'Applied', cancelled: 'Withdrawn' } as const;
const stateTones = { scheduled: 'warning', applied: 'success', cancelled: 'neutral' } as const;
const kindLabels = { add: 'Add', replace: 'Replace', remove: 'Remove' } as const;

/** What the change does, in the words of the public page. */
export function describeChange(change: SubprocessorChange, current: readonly Subprocessor[]): string {
  const going = current.find((item) => item.key === change.subprocessorKey)?.name ?? change.subprocessorKey;
  const incoming = change.subprocessor?.name ?? '';
  if (change.kind === 'add') return `${incoming} will be added`;
  if (change.kind === 'replace') return `${going} will be replaced by ${incoming}`;
  return `${going} will be removed`;
}

/** Announced changes of the subprocessor list (GDPR Art. 28(2) advance notice) and their withdrawal. */
export function SubprocessorChangesPage() {
  const can = useCan();
  const me = useMe();
  const location = useLocation();
  const queryClient = useQueryClient();
  const changes = useSubprocessorChanges();
  const subprocessors = useItems<Subprocessor>('/subprocessors');
  const withdraw = useMutation({
    mutationFn: (change: SubprocessorChange) => api.delete(`/subprocessor-changes/${change.id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: UPDATES_KEY }),
  });
  const flash = (location.state as { flash?: string } | null)?.flash;
  const list = rowsOf(changes.data);
  const total = changes.data?.pages[0]?.total ?? 0;
  const current = subprocessors.data?.items ?? [];
  const publish = can('content:publish');
  return (
    <>
      <PageHeader
        title="Subprocessor changes"
        description={
          <>
            New, replaced or removed subprocessors, announced ahead of their date. An announced change is
            listed as upcoming on the{' '}
            <a href={`/t/${me.tenant.slug}/subprocessors`}>public subprocessors page</a> at once, and applied
            to the list on its effective date.
          </>
        }
        actions={
          publish && (
            <Link className="button button-primary" to="/subprocessor-changes/new">
              Announce a change
            </Link>
          )
        }
      />
      {flash && <Notice tone="success">{flash}</Notice>}
      {withdraw.isSuccess && (
        <Notice tone="success">
          The change was withdrawn. The withdrawal is in the updates feed, and subscribers are being notified.
        </Notice>
      )}
      <ErrorNotice error={withdraw.error} />
      {changes.isPending && <ListState state="loading" label="Loading changes…" />}
      {changes.isError && <ListState state="error" error={changes.error} onRetry={() => changes.refetch()} />}
      {changes.data && list.length === 0 && (
        <ListState state="empty">No subprocessor change has been announced.</ListState>
      )}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Subprocessor changes, most recently announced first</caption>
            <thead>
              <tr>
                <th scope="col">Change</th>
                <th scope="col">Kind</th>
                <th scope="col">Effective on</th>
                <th scope="col">Announced</th>
                <th scope="col">State</th>
                {publish && (
                  <th scope="col" className="cell-actions">
                    Actions
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {list.map((change) => {
                const sentence = describeChange(change, current);
                return (
                  <tr key={change.id}>
                    <td>
                      {change.updateId ? (
                        <Link to={`/updates/${change.updateId}`}>{sentence}</Link>
                      ) : (
                        sentence
                      )}
                      {change.summary && <p className="muted cell-note">{change.summary}</p>}
                    </td>
                    <td>{kindLabels[change.kind]}</td>
                    <td>{formatDate(change.effectiveOn)}</td>
                    <td>{formatDate(change.announcedAt)}</td>
                    <td>
                      <Badge tone={stateTones[change.state]}>{stateLabels[change.state]}</Badge>
                    </td>
                    {publish && (
                      <td className="cell-actions">
                        {change.state === 'scheduled' && (
                          <ConfirmButton
                            label="Withdraw"
                            question={`Withdraw “${sentence}”? It leaves the public list of upcoming changes, a withdrawal is posted to the updates feed, and subscribers of subprocessor changes and of all updates are e-mailed that it will not happen.`}
                            onConfirm={() => withdraw.mutate(change)}
                            pending={withdraw.isPending}
                          />
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {list.length > 0 && <LoadMore query={changes} shown={list.length} total={total} />}
    </>
  );
}
