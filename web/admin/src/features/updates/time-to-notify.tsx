import { useEffect, useState } from 'react';
import { Badge, formatDateTime } from '../../ui/badges.js';
import { formatDuration, type Incident } from './updates-queries.js';

type State = Incident['timeToNotify']['state'];

const stateLabels: Record<State, string> = {
  on_track: 'On track',
  warning: 'Deadline near',
  overdue: 'Overdue',
  met: 'Met',
  missed: 'Missed',
};

const stateTones = {
  on_track: 'neutral',
  warning: 'warning',
  overdue: 'danger',
  met: 'success',
  missed: 'danger',
} as const;

export function NotifyStateBadge({ state }: { state: State }) {
  return <Badge tone={stateTones[state]}>{stateLabels[state]}</Badge>;
}

/** The clock, once a minute: enough for a countdown in minutes. */
function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** Minutes from now until `instant` (negative once it has passed). */
function minutesUntil(instant: string, now: number): number {
  return Math.floor((new Date(instant).getTime() - now) / 60_000);
}

/**
 * How an incident stands against the 24-hour promise, as the API judged it (state, minutes,
 * deadline); between two fetches only the countdown to the deadline moves on. No live region:
 * the countdown changes every minute and would be read out each time.
 */
export function TimeToNotifySummary({ incident }: { incident: Incident }) {
  const now = useNow();
  const { state, minutes, deadline, targetHours } = incident.timeToNotify;
  const left = minutesUntil(deadline, now);
  const elapsed = `${formatDuration(minutes)} after detection`;
  if (state === 'met' || state === 'missed') {
    return (
      <div className={`notice ${state === 'met' ? 'notice-success' : 'notice-error'}`}>
        <p>
          <NotifyStateBadge state={state} /> Customers were notified {elapsed} (target {targetHours} h).
        </p>
      </div>
    );
  }
  if (state === 'overdue' || left < 0) {
    return (
      <div className="notice notice-error">
        <p>
          <NotifyStateBadge state="overdue" /> Customers have not been notified and the {targetHours}-hour
          target passed {formatDuration(-left)} ago (deadline {formatDateTime(deadline)}). Notify them now,
          then record when.
        </p>
      </div>
    );
  }
  if (state === 'warning') {
    return (
      <div className="notice notice-warning">
        <p>
          <NotifyStateBadge state="warning" /> Customers have not been notified:{' '}
          <strong>{formatDuration(left)} left</strong> until the {targetHours}-hour target (deadline{' '}
          {formatDateTime(deadline)}).
        </p>
      </div>
    );
  }
  return (
    <div className="notice">
      <p>
        <NotifyStateBadge state="on_track" /> Detected {formatDuration(minutes)} ago; {formatDuration(left)}{' '}
        left to notify customers (deadline {formatDateTime(deadline)}).
      </p>
    </div>
  );
}

/** The short form for a table cell. */
export function TimeToNotifyCell({ incident }: { incident: Incident }) {
  const now = useNow();
  const { state, minutes, deadline } = incident.timeToNotify;
  const left = minutesUntil(deadline, now);
  const detail =
    state === 'met' || state === 'missed'
      ? `notified after ${formatDuration(minutes)}`
      : left >= 0
        ? `${formatDuration(left)} left`
        : `${formatDuration(-left)} past the deadline`;
  return (
    <span className="time-to-notify">
      <NotifyStateBadge state={state} /> <span className="muted">{detail}</span>
    </span>
  );
}
