import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { request } from '../../api/client.js';
import type { SessionView } from '../../api/types.js';
import { Badge, formatDateTime } from '../../ui/badges.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';

const SESSIONS_KEY = ['sessions'] as const;

/** The signed-in person's own sessions, on every device: end one, or all at once. */
export function SessionsPage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const sessions = useQuery({
    queryKey: SESSIONS_KEY,
    queryFn: () => request<{ items: SessionView[] }>('GET', '/bff/sessions'),
  });
  const signedOut = () => {
    navigate('/sign-in', { replace: true, state: { signedOut: true } });
    queryClient.clear();
  };
  const end = useMutation({
    mutationFn: (session: SessionView) => request<void>('DELETE', `/bff/sessions/${session.id}`),
    onSuccess: async (_result, session) => {
      if (session.current) return signedOut();
      await queryClient.invalidateQueries({ queryKey: SESSIONS_KEY });
    },
  });
  const endAll = useMutation({
    mutationFn: () => request<void>('POST', '/bff/sessions/revoke-all'),
    onSuccess: signedOut,
  });

  return (
    <>
      <PageHeader
        title="Your sessions"
        description="Where you are signed in. End a session you do not recognise."
        actions={
          <ConfirmButton
            label="Sign out everywhere"
            confirmLabel="Yes, sign out everywhere"
            question="End every session, including this one?"
            onConfirm={() => endAll.mutate()}
            pending={endAll.isPending}
          />
        }
      />
      <ErrorNotice error={end.error ?? endAll.error} />
      {sessions.isPending && <ListState state="loading" label="Loading sessions…" />}
      {sessions.isError && (
        <ListState state="error" error={sessions.error} onRetry={() => sessions.refetch()} />
      )}
      {sessions.data && sessions.data.items.length === 0 && (
        <ListState state="empty">No active sessions.</ListState>
      )}
      {sessions.data && sessions.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">Network</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last active</th>
                <th scope="col">Ends</th>
                <th scope="col" className="cell-actions">
                  Actions
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.items.map((session) => (
                <tr key={session.id}>
                  <td>
                    {session.userAgent ?? 'Unknown'}{' '}
                    {session.current && <Badge tone="success">this session</Badge>}
                  </td>
                  <td>{session.client ?? '—'}</td>
                  <td>{formatDateTime(session.createdAt)}</td>
                  <td>{formatDateTime(session.lastSeenAt)}</td>
                  <td>{formatDateTime(session.expiresAt)}</td>
                  <td className="cell-actions">
                    <ConfirmButton
                      label="End"
                      confirmLabel="Yes, end it"
                      question={session.current ? 'End this session and sign out?' : 'End this session?'}
                      onConfirm={() => end.mutate(session)}
                      pending={end.isPending}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
