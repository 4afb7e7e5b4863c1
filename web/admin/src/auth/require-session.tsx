import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ApiError } from '../api/client.js';
import { ListState } from '../ui/list-state.js';
import { MeContext, meQuery } from './session.js';

/** Renders its children for a signed-in person; everyone else goes to sign-in, and comes back after. */
export function RequireSession({ children }: { children: ReactNode }) {
  const location = useLocation();
  const me = useQuery(meQuery);
  if (me.error instanceof ApiError && me.error.status === 401) {
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  }
  if (me.data) return <MeContext.Provider value={me.data}>{children}</MeContext.Provider>;
  return (
    <div className="auth-page">
      {me.isError ? (
        <ListState state="error" error={me.error} onRetry={() => me.refetch()} />
      ) : (
        <ListState state="loading" label="Loading your session" />
      )}
    </div>
  );
}
