import { type EvidenceList, evidenceList } from '@attest/modules/evidence/evidence.contract.js';
import { type UseQueryResult, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { ApiError, api, type Page } from '../../api/client.js';
import type { Control } from '../../api/types.js';
import { useCan, useMe } from '../../auth/session.js';
import { Badge, formatDateTime } from '../../ui/badges.js';
import { ListState } from '../../ui/list-state.js';
import { Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { useControls } from '../content-queries.js';
import { type EvidenceRow, evidenceRows, outcomeSentence, statusText, statusTone } from './evidence-rows.js';

const EVIDENCE_KEY = ['evidence'] as const;
/** How long the screen waits for a run that the worker does in the background. */
const WAIT_MS = 30_000;

/** What the screen waits for after "Run checks now": a lastRunAt other than the one it saw. */
interface Waiting {
  previous: string | null;
  until: number;
}

function isTooSoon(error: unknown): boolean {
  return error instanceof ApiError && error.status === 429;
}

function runErrorMessage(error: unknown): string {
  if (isTooSoon(error)) return 'The checks ran less than 30 s ago. Wait a moment, then run them again.';
  return error instanceof ApiError ? error.message : 'The checks could not be started. Try again.';
}

export function EvidencePage() {
  const me = useMe();
  const can = useCan();
  const queryClient = useQueryClient();
  const [waiting, setWaiting] = useState<Waiting | null>(null);
  const [ran, setRan] = useState(false);
  const results = useQuery({
    queryKey: EVIDENCE_KEY,
    queryFn: () => api.get<EvidenceList>('/evidence'),
    refetchInterval: waiting ? 1000 : false,
  });
  const controls = useControls();
  const lastRunAt = results.data?.lastRunAt ?? null;

  useEffect(() => {
    if (!waiting) return;
    if (lastRunAt !== waiting.previous) {
      setWaiting(null);
      setRan(true);
      return;
    }
    const timer = setTimeout(() => setWaiting(null), Math.max(0, waiting.until - Date.now()));
    return () => clearTimeout(timer);
  }, [waiting, lastRunAt]);

  const run = useMutation({
    mutationFn: () => api.post<unknown>('/evidence/run'),
    onMutate: () => setRan(false),
    onSuccess: async (answer) => {
      // The API may answer with the new results, or start a run and let the list catch up.
      const parsed = evidenceList.safeParse(answer);
      if (parsed.success && parsed.data.lastRunAt !== lastRunAt) {
        queryClient.setQueryData(EVIDENCE_KEY, parsed.data);
        setRan(true);
        return;
      }
      setWaiting({ previous: lastRunAt, until: Date.now() + WAIT_MS });
      await queryClient.invalidateQueries({ queryKey: EVIDENCE_KEY });
    },
  });
  const busy = run.isPending || waiting !== null;

  return (
    <>
      <PageHeader
        title="Live evidence"
        description={
          <>
            Machine checks of this installation that back your controls, with their latest results. Visitors
            see them on the <a href={`/t/${me.tenant.slug}/evidence`}>public evidence page</a>.
          </>
        }
        actions={
          can('content:publish') && (
            <button
              type="button"
              className="button button-primary"
              onClick={() => run.mutate()}
              disabled={busy}
            >
              {busy ? 'Running checks…' : 'Run checks now'}
            </button>
          )
        }
      />
      <div className="stack">
        {run.isError && (
          <Notice tone={isTooSoon(run.error) ? 'warning' : 'error'}>
            <p>{runErrorMessage(run.error)}</p>
          </Notice>
        )}
        {waiting && <ListState state="loading" label="Running the checks…" />}
        {ran && !waiting && results.data && (
          <Notice tone="success">
            <p>
              The checks ran at {formatDateTime(results.data.lastRunAt)}
              {results.data.items.length > 0 ? `: ${outcomeSentence(results.data)}.` : '.'}
            </p>
          </Notice>
        )}
        <EvidenceResults results={results} controls={controls} />
      </div>
    </>
  );
}

function EvidenceResults({
  results,
  controls,
}: {
  results: UseQueryResult<EvidenceList>;
  controls: UseQueryResult<Page<Control>>;
}) {
  if (results.isError || controls.isError) {
    const retry = () => {
      void results.refetch();
      void controls.refetch();
    };
    return <ListState state="error" error={results.error ?? controls.error} onRetry={retry} />;
  }
  if (!results.data || !controls.data) return <ListState state="loading" label="Loading results…" />;
  const rows = evidenceRows(results.data, controls.data.items);
  if (rows.length === 0) {
    return (
      <ListState state="empty">
        No control names a check yet. Open a <Link to="/controls">control</Link> and tick the checks that
        prove it under “Evidence”.
      </ListState>
    );
  }
  return (
    <>
      <p className="muted">
        {results.data.lastRunAt
          ? `Last run ${formatDateTime(results.data.lastRunAt)}.`
          : 'The checks have not run yet.'}
      </p>
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Latest result of each check</caption>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Status</th>
              <th scope="col">Summary</th>
              <th scope="col">Checked at</th>
              <th scope="col">Backs the controls</th>
              <th scope="col">Facts</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <ResultRow key={row.check} row={row} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function ResultRow({ row }: { row: EvidenceRow }) {
  const { result } = row;
  return (
    <tr id={`check-${row.check}`}>
      <th scope="row">
        {row.title}
        <br />
        <code className="muted">{row.check}</code>
      </th>
      <td>
        {result ? (
          <Badge tone={statusTone[result.status]}>{statusText[result.status]}</Badge>
        ) : (
          <Badge tone="neutral">Not run yet</Badge>
        )}
      </td>
      <td>{result?.summary ?? '—'}</td>
      <td>{result ? formatDateTime(result.checkedAt) : '—'}</td>
      <td>
        {row.controls.length === 0 ? (
          <span className="muted">None in the draft</span>
        ) : (
          <ul className="plain-list">
            {row.controls.map((control) => (
              <li key={control.id}>
                <Link to={`/controls/${control.id}`}>{control.title}</Link>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        <details>
          <summary>{result ? `Facts (${Object.keys(result.facts).length})` : 'What it checks'}</summary>
          <p className="cell-note">{row.checks}</p>
          {result && (
            <dl className="dl">
              {Object.entries(result.facts).map(([name, value]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd>{String(value)}</dd>
                </div>
              ))}
              <div>
                <dt>Took</dt>
                <dd>{result.durationMs} ms</dd>
              </div>
            </dl>
          )}
        </details>
      </td>
    </tr>
  );
}
