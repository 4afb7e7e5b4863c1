import { inviteInput } from '@attest/modules/accounts/accounts.contract.js';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.js';
import type { Invitation } from '../../api/types.js';
import { useCan, useMe } from '../../auth/session.js';
import { Badge, formatDate } from '../../ui/badges.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormError, SelectField, SubmitButton, TextField } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice } from '../../ui/notice.js';
import { OneTimeSecret } from '../../ui/one-time-secret.js';
import { useForm } from '../../ui/use-form.js';
import { MEMBERS_KEY, useInvitations, useRoles } from './members-queries.js';

function invitationState(invitation: Invitation) {
  if (invitation.acceptedAt) return <Badge tone="success">accepted</Badge>;
  if (invitation.revokedAt) return <Badge tone="neutral">revoked</Badge>;
  if (Date.parse(invitation.expiresAt) < Date.now()) return <Badge tone="neutral">expired</Badge>;
  return <Badge tone="warning">pending</Badge>;
}

export function InvitationsSection() {
  const can = useCan();
  const me = useMe();
  const invitations = useInvitations();
  const roles = useRoles();
  const queryClient = useQueryClient();
  const [link, setLink] = useState<string | null>(null);
  const form = useForm(inviteInput, { email: '', role: 'viewer' }, async (body) => {
    const created = await api.post<{ invitation: Invitation; token: string }>('/invitations', body);
    // The token travels in the fragment: browsers never send it to a server or in a Referer.
    const fragment = new URLSearchParams({ tenant: me.tenant.slug, token: created.token });
    setLink(`${window.location.origin}/admin/invitation#${fragment}`);
    form.reset({ email: '', role: body.role });
    await queryClient.invalidateQueries({ queryKey: MEMBERS_KEY });
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/invitations/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: MEMBERS_KEY }),
  });
  const manage = can('members:manage');
  return (
    <section className="stack" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
      {link && <OneTimeSecret title="Invitation link" value={link} onDone={() => setLink(null)} />}
      <ErrorNotice error={revoke.error} />
      {invitations.isPending && <ListState state="loading" label="Loading invitations…" />}
      {invitations.isError && (
        <ListState state="error" error={invitations.error} onRetry={() => invitations.refetch()} />
      )}
      {invitations.data && invitations.data.items.length === 0 && (
        <ListState state="empty">No invitations.</ListState>
      )}
      {invitations.data && invitations.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col">Expires</th>
                {manage && (
                  <th scope="col" className="cell-actions">
                    Actions
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {invitations.data.items.map((invitation) => (
                <tr key={invitation.id}>
                  <td>{invitation.email}</td>
                  <td>{invitation.role}</td>
                  <td>{invitationState(invitation)}</td>
                  <td>{formatDate(invitation.expiresAt)}</td>
                  {manage && (
                    <td className="cell-actions">
                      {!invitation.acceptedAt && !invitation.revokedAt && (
                        <ConfirmButton
                          label="Revoke"
                          question={`Revoke the invitation for ${invitation.email}?`}
                          onConfirm={() => revoke.mutate(invitation.id)}
                          pending={revoke.isPending}
                        />
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {manage && (
        <form
          ref={form.formRef}
          className="form card"
          onSubmit={form.handleSubmit}
          noValidate
          aria-labelledby="invite-heading"
        >
          <h3 id="invite-heading">Invite someone</h3>
          <TextField
            form={form}
            name="email"
            label="E-mail address"
            type="email"
            required
            idPrefix="invite"
          />
          <SelectField
            form={form}
            name="role"
            label="Role"
            idPrefix="invite"
            options={(roles.data?.items ?? [{ key: 'viewer', name: 'Viewer' }]).map((role) => ({
              value: role.key,
              label: role.name,
            }))}
          />
          <FormError message={form.formError} />
          <div className="actions">
            <SubmitButton form={form} busyLabel="Inviting…">
              Create invitation
            </SubmitButton>
          </div>
        </form>
      )}
    </section>
  );
}
