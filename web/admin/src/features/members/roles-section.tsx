import { roleInput } from '@attest/modules/accounts/accounts.contract.js';
import type { Permission } from '@attest/platform/auth/context.js';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api/client.js';
import { useCan, useMe } from '../../auth/session.js';
import { Badge } from '../../ui/badges.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormError, SubmitButton, TextField } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice, Notice } from '../../ui/notice.js';
import { PermissionChecks } from '../../ui/permission-checks.js';
import { describePermissions } from '../../ui/permission-labels.js';
import { useForm } from '../../ui/use-form.js';
import { MEMBERS_KEY, useRoles } from './members-queries.js';
import { RoleEditForm } from './role-edit-form.js';

export function RolesSection() {
  const can = useCan();
  const roles = useRoles();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (key: string) => api.delete(`/roles/${key}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: MEMBERS_KEY }),
  });
  const manage = can('roles:manage');
  // Back to the button that opened the editor, so keyboard users keep their place: after the
  // commit that shows the button again, not on a timer that may run before it.
  const [returnFocusTo, setReturnFocusTo] = useState<string | null>(null);
  useEffect(() => {
    if (editing !== null || returnFocusTo === null) return;
    document.getElementById(`edit-role-${returnFocusTo}`)?.focus();
    setReturnFocusTo(null);
  }, [editing, returnFocusTo]);
  const closeEditor = (key: string) => {
    setEditing(null);
    setReturnFocusTo(key);
  };
  return (
    <section className="stack" aria-labelledby="roles-heading">
      <h2 id="roles-heading">Roles</h2>
      <p className="muted">
        Built-in roles are fixed. Custom roles can be changed; their members get the new permissions on their
        next request.
      </p>
      {saved && <Notice tone="success">{saved}</Notice>}
      <ErrorNotice error={remove.error} />
      {roles.isPending && <ListState state="loading" label="Loading roles…" />}
      {roles.isError && <ListState state="error" error={roles.error} onRetry={() => roles.refetch()} />}
      {roles.data && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Permissions</th>
                {manage && (
                  <th scope="col" className="cell-actions">
                    Actions
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {roles.data.items.map((role) =>
                manage && editing === role.key && !role.builtIn ? (
                  <tr key={role.key}>
                    <td colSpan={3}>
                      <RoleEditForm
                        role={role}
                        onCancel={() => closeEditor(role.key)}
                        onSaved={(name) => {
                          closeEditor(role.key);
                          setSaved(`The role ${name} was saved.`);
                        }}
                      />
                    </td>
                  </tr>
                ) : (
                  <tr key={role.key}>
                    <td>
                      {role.name} <span className="muted mono">{role.key}</span>{' '}
                      {role.builtIn ? (
                        <Badge tone="neutral">built-in</Badge>
                      ) : (
                        <Badge tone="success">custom</Badge>
                      )}
                    </td>
                    <td>{describePermissions(role.permissions)}</td>
                    {manage && (
                      <td className="cell-actions">
                        {role.builtIn ? (
                          <span className="muted">Read-only</span>
                        ) : (
                          <span className="actions">
                            <button
                              id={`edit-role-${role.key}`}
                              type="button"
                              className="button button-small"
                              onClick={() => {
                                setSaved(null);
                                setEditing(role.key);
                              }}
                              aria-label={`Edit the role ${role.name}`}
                            >
                              Edit
                            </button>
                            <ConfirmButton
                              label="Delete"
                              question={`Delete the role ${role.name}?`}
                              onConfirm={() => remove.mutate(role.key)}
                              pending={remove.isPending}
                            />
                          </span>
                        )}
                      </td>
                    )}
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
      {manage && <CreateRoleForm />}
    </section>
  );
}

function CreateRoleForm() {
  const me = useMe();
  const queryClient = useQueryClient();
  const form = useForm(
    roleInput,
    { key: '', name: '', permissions: ['content:read'] as Permission[] },
    async (body) => {
      await api.post('/roles', body);
      form.reset({ key: '', name: '', permissions: ['content:read'] });
      await queryClient.invalidateQueries({ queryKey: MEMBERS_KEY });
    },
  );
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-labelledby="new-role-heading"
    >
      <h3 id="new-role-heading">Create a custom role</h3>
      <TextField form={form} name="name" label="Name" required idPrefix="role" />
      <TextField
        form={form}
        name="key"
        label="Key"
        hint="Lowercase letters, digits and dashes, e.g. security-reviewer."
        required
        idPrefix="role"
      />
      <PermissionChecks
        legend="Permissions"
        hint="You can grant only permissions you hold yourself."
        available={me.permissions}
        value={form.values.permissions as Permission[]}
        onChange={(next) => form.set('permissions', next)}
        error={form.error('permissions')}
        idPrefix="role-permission"
      />
      <FormError message={form.formError} />
      <div className="actions">
        <SubmitButton form={form}>Create role</SubmitButton>
      </div>
    </form>
  );
}
