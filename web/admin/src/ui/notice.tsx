import type { ReactNode } from 'react';
import { errorMessage } from '../api/client.js';

export function Notice({
  tone = 'info',
  children,
}: {
  tone?: 'info' | 'success' | 'warning' | 'error';
  children: ReactNode;
}) {
  const className = tone === 'info' ? 'notice' : `notice notice-${tone}`;
  return (
    <div className={className} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** A failed mutation's message, announced; nothing when there is no error. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <Notice tone="error">
      <p>{errorMessage(error)}</p>
    </Notice>
  );
}
