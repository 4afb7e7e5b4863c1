import { Link, useLocation } from 'react-router';
import { useCan } from '../../auth/session.js';
import { formatDateTime } from '../../ui/badges.js';
import { ListState } from '../../ui/list-state.js';
import { Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { LoadMore } from './load-more.js';
import { TimeToNotifyCell } from './time-to-notify.js';
import { NOTIFY_TARGET_HOURS, rowsOf, useIncidentPages } from './updates-queries.js';

/** Incidents and how each stands against the promise to notify customers within 24 hours. */
export function IncidentsPage() {
  const can = useCan();
  const location = useLocation();
  const incidents = useIncidentPages();
  const flash = (location.state as { flash?: string } | null)?.flash;
  const list = rowsOf(incidents.data);
  const total = incidents.data?.pages[0]?.total ?? 0;
  const open = list.filter(
    (incident) => incident.timeToNotify.state === 'warning' || incident.timeToNotify.state === 'overdue',
  );
  return (
    <>
      <PageHeader
        title="Incidents"
        description={`Customers are told within ${NOTIFY_TARGET_HOURS} hours of detection. Record an incident as soon as it is detected; the clock starts then.`}
        actions={
          can('updates:write') && (
            <Link className="button button-primary" to="/incidents/new">
              Record an incident
            </Link>
          )
        }
      />
      {flash && <Notice tone="success">{flash}</Notice>}
      {open.length > 0 && (
        <Notice tone="warning">
          <p>
            {open.length === 1 ? 'One incident is' : `${open.length} incidents are`} near or past the{' '}
            {NOTIFY_TARGET_HOURS}-hour target and customers have not been notified.
          </p>
        </Notice>
      )}
      {incidents.isPending && <ListState state="loading" label="Loading incidents…" />}
      {incidents.isError && (
        <ListState state="error" error={incidents.error} onRetry={() => incidents.refetch()} />
      )}
      {incidents.data && list.length === 0 && (
        <ListState state="empty">No incident has been recorded.</ListState>
      )}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Incidents, most recently detected first</caption>
            <thead>
              <tr>
                <th scope="col">Incident</th>
                <th scope="col">Detected</th>
                <th scope="col">Customers notified</th>
                <th scope="col">Time to notify</th>
                <th scope="col">Resolved</th>
              </tr>
            </thead>
            <tbody>
              {list.map((incident) => (
                <tr key={incident.id}>
                  <td>
                    <Link to={`/incidents/${incident.id}`}>{incident.title}</Link>
                  </td>
                  <td>{formatDateTime(incident.detectedAt)}</td>
                  <td>
                    {incident.customersNotifiedAt ? formatDateTime(incident.customersNotifiedAt) : 'Not yet'}
                  </td>
                  <td>
                    <TimeToNotifyCell incident={incident} />
                  </td>
                  <td>{incident.resolvedAt ? formatDateTime(incident.resolvedAt) : 'Open'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.length > 0 && <LoadMore query={incidents} shown={list.length} total={total} />}
    </>
  );
}
