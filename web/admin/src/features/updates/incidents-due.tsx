import { Link } from 'react-router';
import { NotifyStateBadge } from './time-to-notify.js';
import { formatDuration, NOTIFY_TARGET_HOURS, useIncidents } from './updates-queries.js';

/**
 * For the home page: incidents whose customers have not been told and whose 24-hour target is
 * near or past. Nothing at all while there are none (or while they load).
 */
export function IncidentsDue() {
  const incidents = useIncidents();
  const due = (incidents.data?.items ?? []).filter(
    (incident) => incident.timeToNotify.state === 'warning' || incident.timeToNotify.state === 'overdue',
  );
  if (due.length === 0) return null;
  return (
    <section className="notice notice-warning stack" aria-labelledby="incidents-due-title">
      <h2 id="incidents-due-title" className="card-title">
        Customers to notify
      </h2>
      <p>
        The {NOTIFY_TARGET_HOURS}-hour target to tell customers is near or past for{' '}
        {due.length === 1 ? 'this incident' : 'these incidents'}:
      </p>
      <ul>
        {due.map((incident) => (
          <li key={incident.id}>
            <Link to={`/incidents/${incident.id}`}>{incident.title}</Link>{' '}
            <NotifyStateBadge state={incident.timeToNotify.state} />{' '}
            <span className="muted">detected {formatDuration(incident.timeToNotify.minutes)} ago</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
