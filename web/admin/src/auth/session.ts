import type { Permission } from '@attest/platform/auth/context.js';
import { createContext, useContext } from 'react';
import { request } from '../api/client.js';
import type { Me } from '../api/types.js';

export const ME_KEY = ['me'] as const;

export const meQuery = {
  queryKey: ME_KEY,
  queryFn: () => request<Me>('GET', '/bff/me'),
  retry: false,
  staleTime: 60_000,
} as const;

/**
 * Who is signed in, provided by <RequireSession> once /bff/me has answered. A context rather than
 * the query itself: when the session ends and the cache is cleared, the pages below unmount with
 * RequireSession instead of rendering once more without a person.
 */
export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside <RequireSession>');
  return me;
}

/**
 * What the signed-in person may do, from /bff/me. It only shapes the interface (no edit button
 * for a viewer): the API checks every request again.
 */
export function useCan(): (permission: Permission) => boolean {
  const me = useMe();
  return (permission) => me.permissions.includes(permission);
}
