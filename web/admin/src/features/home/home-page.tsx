import { Link } from 'react-router';
import { useMe } from '../../auth/session.js';
import { formatDate, StatusBadge } from '../../ui/badges.js';
import { ListState } from '../../ui/list-state.js';
import { PageHeader } from '../../ui/page-header.js';
import { nextReviewDue, useDraftChanges, useOverdueReviews } from '../content-queries.js';
import { EvidenceCoverageCard } from '../controls/evidence-coverage-card.js';
import { FailingChecks } from '../evidence/failing-checks.js';
import { ChangeList } from '../publish/change-list.js';
import { IncidentsDue } from '../updates/incidents-due.js';

/** What needs attention: failing evidence first, then incidents, reviews that are due, unpublished edits. */
export function HomePage() {
  const me = useMe();
  const overdue = useOverdueReviews();
  const changes = useDraftChanges();
  return (
    <>
      <PageHeader title="Home" description={`What needs attention in ${me.tenant.name}'s trust center.`} />
      <FailingChecks />
      <IncidentsDue />
      <div className="grid-2">
        <section className="card stack" aria-labelledby="overdue-title">
          <h2 id="overdue-title" className="card-title">
            Reviews due
          </h2>
          {overdue.isPending && <ListState state="loading" label="Loading reviews…" />}
          {overdue.isError && (
            <ListState state="error" error={overdue.error} onRetry={() => overdue.refetch()} />
          )}
          {overdue.data && overdue.data.items.length === 0 && (
            <ListState state="empty">Every control was reviewed on time.</ListState>
          )}
          {overdue.data && overdue.data.items.length > 0 && (
            <>
              <p className="stat">{overdue.data.total}</p>
              <p className="muted">controls are overdue for review or were never reviewed.</p>
              <ul>
                {overdue.data.items.slice(0, 8).map((control) => (
                  <li key={control.id}>
                    <Link to={`/controls/${control.id}`}>{control.title}</Link>{' '}
                    <StatusBadge status={control.status} />{' '}
                    <span className="muted">
                      {control.lastReviewedOn
                        ? `due ${formatDate(nextReviewDue(control))}`
                        : 'never reviewed'}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
        <EvidenceCoverageCard />
        <section className="card stack" aria-labelledby="changes-title">
          <h2 id="changes-title" className="card-title">
            Unpublished changes
          </h2>
          {changes.isPending && <ListState state="loading" label="Comparing the draft…" />}
          {changes.isError && (
            <ListState state="error" error={changes.error} onRetry={() => changes.refetch()} />
          )}
          {changes.data && (
            <>
              <p className="muted">
                {changes.data.publishedVersion
                  ? `Published version ${changes.data.publishedVersion} is live.`
                  : 'Nothing has been published yet.'}
              </p>
              {changes.data.changes.length === 0 ? (
                <ListState state="empty">The draft is the same as the published trust center.</ListState>
              ) : (
                <>
                  <ChangeList changes={changes.data.changes.slice(0, 8)} />
                  <p>
                    <Link to="/publish">
                      Review and publish {changes.data.changes.length} change
                      {changes.data.changes.length === 1 ? '' : 's'}
                    </Link>
                  </p>
                </>
              )}
            </>
          )}
        </section>
      </div>
    </>
  );
}
