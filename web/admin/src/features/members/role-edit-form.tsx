import { roleInput } from '@attest/modules/accounts/accounts.contract.js';
import { isPermission, type Permission } from '@attest/platform/auth/context.js';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api } from '../../api/client.js';
import type { Role } from '../../api/types.js';
import { ME_KEY, useMe } from '../../auth/session.js';
import { FormError, SubmitButton, TextField } from '../../ui/fields.js';
import { PermissionChecks } from '../../ui/permission-checks.js';
import { permissionLabels } from '../../ui/permission-labels.js';
import { useForm } from '../../ui/use-form.js';
import { MEMBERS_KEY } from './members-queries.js';

/** What PATCH /roles/:key accepts when both fields are sent; the key of a role never changes. */
const roleEdit = roleInput.omit({ key: true });

const sameSet = (left: readonly string[], right: readonly string[]) =>
  left.length === right.length && left.every((item) => right.includes(item));

/**
 * Renames a custom role or changes its permissions. Nobody grants more than they hold, so a role
 * holding permissions the editor lacks keeps its permissions as they are and only its name can change.
 */
export function RoleEditForm({
  role,
  onCancel,
  onSaved,
}: {
  role: Role;
  onCancel: () => void;
  onSaved: (name: string) => void;
}) {
  const me = useMe();
  const queryClient = useQueryClient();
  const current = role.permissions.filter(isPermission);
  const beyondMe = current.filter((permission) => !me.permissions.includes(permission));
  const form = useForm(roleEdit, { name: role.name, permissions: current }, async (body) => {
    // Only what changed: a rename alone never re-grants the permissions the role already has.
    const changes = {
      ...(body.name !== role.name ? { name: body.name } : {}),
      ...(sameSet(body.permissions, current) ? {} : { permissions: body.permissions }),
    };
    if (Object.keys(changes).length) await api.patch(`/roles/${role.key}`, changes);
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: MEMBERS_KEY }),
      // The editor may hold this role themself.
      role.key === me.role ? queryClient.invalidateQueries({ queryKey: ME_KEY }) : null,
    ]);
    onSaved(body.name);
  });
  const prefix = `role-${role.key}`;

  useEffect(() => {
    form.formRef.current?.querySelector<HTMLInputElement>('input[name="name"]')?.focus();
  }, [form.formRef]);

  return (
    <form
      ref={form.formRef}
      className="form"
      onSubmit={form.handleSubmit}
      noValidate
      aria-label={`Edit the role ${role.name}`}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onCancel();
      }}
    >
      <TextField form={form} name="name" label="Name" required idPrefix={prefix} />
      <p className="muted">
        Key <span className="mono">{role.key}</span> (cannot be changed)
      </p>
      <PermissionChecks
        legend="Permissions"
        hint={
          beyondMe.length
            ? `This role includes permissions you do not hold (${beyondMe
                .map((permission) => permissionLabels[permission])
                .join(', ')}), so only someone who holds them can change its permissions.`
            : 'Members holding this role get the change on their next request.'
        }
        available={me.permissions}
        value={form.values.permissions as Permission[]}
        onChange={(next) => form.set('permissions', next)}
        error={form.error('permissions')}
        idPrefix={`${prefix}-permission`}
        disabled={beyondMe.length > 0}
      />
      <FormError message={form.formError} />
      <div className="actions">
        <SubmitButton form={form} busyLabel="Saving…">
          Save role
        </SubmitButton>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
