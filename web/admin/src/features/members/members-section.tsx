import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.js';
import type { Member } from '../../api/types.js';
import { useCan, useMe } from '../../auth/session.js';
import { Badge, formatDate } from '../../ui/badges.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice, Notice } from '../../ui/notice.js';
import { MEMBERS_KEY, useMembers, useRoles } from './members-queries.js';

export function MembersSection() {
  const can = useCan();
  const members = useMembers();
  const roles = useRoles();
  const queryClient = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const changeRole = useMutation({
    mutationFn: ({ member, role }: { member: Member; role: string }) =>
      api.patch(`/members/${member.userId}`, { role }),
    onSuccess: async (_result, { member, role }) => {
      setDone(`${member.email} is now ${role}. Their sessions have ended.`);
      await queryClient.invalidateQueries({ queryKey: MEMBERS_KEY });
    },
  });
  const remove = useMutation({
    mutationFn: (member: Member) => api.delete(`/members/${member.userId}`),
    onSuccess: async (_result, member) => {
      setDone(`${member.email} was removed; their sessions and API keys have ended.`);
      await queryClient.invalidateQueries({ queryKey: MEMBERS_KEY });
    },
  });
  const manage = can('members:manage');
  return (
    <section className="stack" aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      {done && <Notice tone="success">{done}</Notice>}
      <ErrorNotice error={changeRole.error ?? remove.error} />
      {members.isPending && <ListState state="loading" label="Loading members…" />}
      {members.isError && <ListState state="error" error={members.error} onRetry={() => members.refetch()} />}
      {members.data && members.data.items.length === 0 && (
        <ListState state="empty">No members yet.</ListState>
      )}
      {members.data && members.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">Two-factor</th>
                <th scope="col">Joined</th>
                {manage && (
                  <th scope="col" className="cell-actions">
                    Actions
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {members.data.items.map((member) => (
                <MemberRow
                  key={member.userId}
                  member={member}
                  roles={roles.data?.items.map((role) => role.key) ?? [member.role]}
                  manage={manage}
                  onRole={(role) => changeRole.mutate({ member, role })}
                  onRemove={() => remove.mutate(member)}
                  pending={changeRole.isPending || remove.isPending}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function MemberRow({
  member,
  roles,
  manage,
  onRole,
  onRemove,
  pending,
}: {
  member: Member;
  roles: string[];
  manage: boolean;
  onRole: (role: string) => void;
  onRemove: () => void;
  pending: boolean;
}) {
  const me = useMe();
  const [role, setRole] = useState(member.role);
  const selectId = `role-${member.userId}`;
  return (
    <tr>
      <td>
        {member.email}
        {member.userId === me.user.id && <span className="muted"> (you)</span>}
        {member.disabled && (
          <>
            {' '}
            <Badge tone="danger">disabled</Badge>
          </>
        )}
      </td>
      <td>
        {manage ? (
          <span className="row">
            <label className="visually-hidden" htmlFor={selectId}>
              Role of {member.email}
            </label>
            <select
              id={selectId}
              className="select input-inline"
              value={role}
              onChange={(event) => setRole(event.target.value)}
            >
              {roles.map((key) => (
                <option key={key} value={key}>
                  {key}
                </option>
              ))}
            </select>
            {role !== member.role && (
              <button
                type="button"
                className="button button-small button-primary"
                disabled={pending}
                onClick={() => onRole(role)}
              >
                Save role
              </button>
            )}
          </span>
        ) : (
          member.role
        )}
      </td>
      <td>{member.mfaEnabled ? <Badge tone="success">on</Badge> : <Badge tone="neutral">off</Badge>}</td>
      <td>{formatDate(member.joinedAt)}</td>
      {manage && (
        <td className="cell-actions">
          <ConfirmButton
            label="Remove"
            question={`Remove ${member.email} from this trust center?`}
            onConfirm={onRemove}
            pending={pending}
          />
        </td>
      )}
    </tr>
  );
}
