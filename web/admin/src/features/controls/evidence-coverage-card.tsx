import type { EvidenceCoverage } from '@attest/modules/content/coverage.contract.js';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client.js';
import { ListState } from '../../ui/list-state.js';
import { CONTENT_KEY } from '../content-queries.js';

export function useEvidenceCoverage() {
  return useQuery({
    queryKey: [...CONTENT_KEY, 'evidence-coverage'],
    queryFn: () => api.get<EvidenceCoverage>('/evidence-coverage'),
  });
}

/**
 * How the implemented controls are evidenced: by a live check, a document or public artifact, only
 * the company's statement, or nothing. Those with nothing are listed to be fixed (decision 0031).
 */
export function EvidenceCoverageCard() {
  const coverage = useEvidenceCoverage();
  return (
    <section className="card stack coverage-card" aria-labelledby="coverage-title">
      <h2 id="coverage-title" className="card-title">
        Evidence coverage
      </h2>
      {coverage.isPending && <ListState state="loading" label="Counting evidence…" />}
      {coverage.isError && (
        <ListState state="error" error={coverage.error} onRetry={() => coverage.refetch()} />
      )}
      {coverage.data && coverage.data.implemented === 0 && (
        <ListState state="empty">No control is marked implemented yet.</ListState>
      )}
      {coverage.data && coverage.data.implemented > 0 && (
        <>
          <p className="muted">How the {coverage.data.implemented} implemented controls are backed:</p>
          <dl className="dl coverage-counts">
            <dt>Live check</dt>
            <dd>{coverage.data.machine}</dd>
            <dt>Document or public artifact</dt>
            <dd>{coverage.data.documentOrArtifact}</dd>
            <dt>Company statement only</dt>
            <dd>{coverage.data.statement}</dd>
            <dt>No evidence</dt>
            <dd>{coverage.data.none}</dd>
          </dl>
          {coverage.data.unevidenced.length > 0 && (
            <div role="status">
              <p>
                <strong>
                  {coverage.data.unevidenced.length} implemented control
                  {coverage.data.unevidenced.length === 1 ? ' names' : 's name'} no evidence:
                </strong>
              </p>
              <ul>
                {coverage.data.unevidenced.slice(0, 10).map((control) => (
                  <li key={control.id}>
                    <Link to={`/controls/${control.id}`}>{control.title}</Link>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}
    </section>
  );
}
