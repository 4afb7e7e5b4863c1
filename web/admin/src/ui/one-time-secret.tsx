import { useEffect, useRef, useState } from 'react';

/**
 * A secret the server shows once (an API key, an invitation link, recovery codes). It lives in
 * this component's state only: never in storage, gone when the person dismisses it.
 */
export function OneTimeSecret({
  title,
  value,
  lines,
  onDone,
}: {
  title: string;
  value?: string;
  lines?: readonly string[];
  onDone: () => void;
}) {
  const [copied, setCopied] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const text = value ?? (lines ?? []).join('\n');
  return (
    <section className="card notice-success stack" aria-labelledby="one-time-secret-title">
      <h2 id="one-time-secret-title" ref={heading} tabIndex={-1}>
        {title}
      </h2>
      <p>Copy it now: it is shown only this once and cannot be retrieved later.</p>
      {value !== undefined && (
        <p className="secret" data-testid="one-time-secret">
          {value}
        </p>
      )}
      {lines && (
        <ul className="codes secret" data-testid="one-time-secret">
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button
          type="button"
          className="button"
          onClick={() => {
            navigator.clipboard?.writeText(text).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          Copy
        </button>
        <button type="button" className="button button-primary" onClick={onDone}>
          I have saved it
        </button>
        <span role="status">{copied ? 'Copied to the clipboard.' : ''}</span>
      </div>
    </section>
  );
}
