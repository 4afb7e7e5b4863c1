import type { EvidenceList } from '@attest/modules/evidence/evidence.contract.js';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client.js';
import { Badge, formatDateTime } from '../../ui/badges.js';
import { useControls } from '../content-queries.js';
import { failingRows, statusText, statusTone } from './evidence-rows.js';

/**
 * For the home page, before anything else: the live evidence checks failing now, since when, and
 * the controls they back (which visitors see as "verification failing" meanwhile). Nothing at all
 * while none fails (or while they load).
 */
export function FailingChecks() {
  const results = useQuery({
    queryKey: ['evidence'],
    queryFn: () => api.get<EvidenceList>('/evidence'),
  });
  const controls = useControls();
  if (!results.data || !controls.data) return null;
  const rows = failingRows(results.data, controls.data.items);
  if (rows.length === 0) return null;
  return (
    <section className="notice notice-error stack" aria-labelledby="failing-checks-title">
      <h2 id="failing-checks-title" className="card-title">
        Failing evidence checks
      </h2>
      <p>
        While {rows.length === 1 ? 'this check fails' : 'these checks fail'}, the published controls{' '}
        {rows.length === 1 ? 'it backs' : 'they back'} show “Verification failing” on the public trust center.
        Fix the cause, or change the claim and publish it.
      </p>
      <ul className="stack" aria-label="Failing checks">
        {rows.map((row) => (
          <li key={row.check}>
            <Link to={`/evidence#check-${row.check}`}>{row.title}</Link>{' '}
            <Badge tone={statusTone[row.result.status]}>{statusText[row.result.status]}</Badge>{' '}
            <span className="muted">
              since <time dateTime={row.result.failingSince}>{formatDateTime(row.result.failingSince)}</time>
            </span>
            <br />
            {row.result.summary}
            <br />
            {row.controls.length === 0 ? (
              <span className="muted">Backs no control in the draft.</span>
            ) : (
              <>
                Affects:{' '}
                {row.controls.map((control, index) => (
                  <span key={control.id}>
                    {index > 0 && ', '}
                    <Link to={`/controls/${control.id}`}>{control.title}</Link>
                  </span>
                ))}
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
