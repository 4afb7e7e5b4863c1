import { errorMessage } from '../api/client.js';

type ListStateProps =
  | { state: 'loading'; label?: string }
  | { state: 'empty'; children: React.ReactNode }
  | { state: 'error'; error: unknown; onRetry?: () => void };

/** The three states every list has besides its items: loading, empty and failed. */
export function ListState(props: ListStateProps) {
  if (props.state === 'loading') {
    return (
      <div className="list-state" role="status">
        <span className="spinner" aria-hidden="true" /> {props.label ?? 'Loading…'}
      </div>
    );
  }
  if (props.state === 'empty') return <div className="list-state">{props.children}</div>;
  return (
    <div className="list-state notice-error" role="alert">
      <p>{errorMessage(props.error)}</p>
      {props.onRetry && (
        <button type="button" className="button button-small" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
