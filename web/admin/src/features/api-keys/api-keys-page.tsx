import { createApiKeyInput, MAX_KEY_DAYS } from '@attest/modules/api-keys/api-keys.contract.js';
import type { Permission } from '@attest/platform/auth/context.js';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ALL, api, type Page } from '../../api/client.js';
import type { ApiKey, CreatedApiKey } from '../../api/types.js';
import { useCan, useMe } from '../../auth/session.js';
import { Badge, formatDate, formatDateTime } from '../../ui/badges.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormError, NumberField, SubmitButton, TextField } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice } from '../../ui/notice.js';
import { OneTimeSecret } from '../../ui/one-time-secret.js';
import { PageHeader } from '../../ui/page-header.js';
import { PermissionChecks } from '../../ui/permission-checks.js';
import { useForm } from '../../ui/use-form.js';

const KEYS_KEY = ['api-keys'] as const;
const statusTones = { active: 'success', expired: 'neutral', revoked: 'danger' } as const;

export function ApiKeysPage() {
  const can = useCan();
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: KEYS_KEY, queryFn: () => api.get<Page<ApiKey>>('/api-keys', ALL) });
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: KEYS_KEY });
  const rotate = useMutation({
    mutationFn: (key: ApiKey) => api.post<CreatedApiKey>(`/api-keys/${key.id}/rotate`, { overlapHours: 24 }),
    onSuccess: async (created, key) => {
      setSecret({
        title: `New secret for “${key.name}” (the old one works for 24 more hours)`,
        value: created.secret,
      });
      await refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (key: ApiKey) => api.delete(`/api-keys/${key.id}`),
    onSuccess: refresh,
  });
  const manage = can('api_keys:manage');

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys for scripts and CI. A key never does more than the person who made it can do now."
      />
      <div className="stack-lg">
        {secret && <OneTimeSecret title={secret.title} value={secret.value} onDone={() => setSecret(null)} />}
        <ErrorNotice error={rotate.error ?? revoke.error} />
        <section className="stack" aria-labelledby="keys-heading">
          <h2 id="keys-heading">Keys</h2>
          {keys.isPending && <ListState state="loading" label="Loading API keys…" />}
          {keys.isError && <ListState state="error" error={keys.error} onRetry={() => keys.refetch()} />}
          {keys.data && keys.data.items.length === 0 && (
            <ListState state="empty">There are no API keys yet.</ListState>
          )}
          {keys.data && keys.data.items.length > 0 && (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Prefix</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">State</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Last used</th>
                    {manage && (
                      <th scope="col" className="cell-actions">
                        Actions
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {keys.data.items.map((key) => (
                    <tr key={key.id}>
                      <td>{key.name}</td>
                      <td className="mono">{key.prefix}…</td>
                      <td>{key.scopes.join(', ')}</td>
                      <td>
                        <Badge tone={statusTones[key.status]}>{key.status}</Badge>
                      </td>
                      <td>{formatDate(key.expiresAt)}</td>
                      <td>{formatDateTime(key.lastUsedAt)}</td>
                      {manage && (
                        <td className="cell-actions">
                          {key.status === 'active' && (
                            <span className="actions">
                              <button
                                type="button"
                                className="button button-small"
                                aria-label={`Rotate ${key.name}`}
                                disabled={rotate.isPending}
                                onClick={() => rotate.mutate(key)}
                              >
                                Rotate
                              </button>
                              <ConfirmButton
                                label="Revoke"
                                question={`Revoke the key “${key.name}” now?`}
                                onConfirm={() => revoke.mutate(key)}
                                pending={revoke.isPending}
                              />
                            </span>
                          )}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        {manage && (
          <CreateKeyForm
            onCreated={(created) =>
              setSecret({ title: `Secret of “${created.key.name}”`, value: created.secret })
            }
          />
        )}
      </div>
    </>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (created: CreatedApiKey) => void }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const initial = { name: '', scopes: ['content:read'] as Permission[], expiresInDays: 90 };
  const form = useForm(createApiKeyInput, initial, async (body) => {
    const created = await api.post<CreatedApiKey>('/api-keys', body);
    form.reset(initial);
    onCreated(created);
    await queryClient.invalidateQueries({ queryKey: KEYS_KEY });
  });
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-labelledby="new-key-heading"
    >
      <h2 id="new-key-heading">Create a key</h2>
      <TextField
        form={form}
        name="name"
        label="Name"
        hint="What uses it, e.g. “CI import”."
        required
        idPrefix="key"
      />
      <PermissionChecks
        legend="Scopes"
        available={me.permissions}
        value={(form.values.scopes ?? []) as Permission[]}
        onChange={(next) => form.set('scopes', next)}
        error={form.error('scopes')}
        idPrefix="key-scope"
      />
      <NumberField
        form={form}
        name="expiresInDays"
        label="Expires after (days)"
        hint={`At most ${MAX_KEY_DAYS}.`}
        min={1}
        max={MAX_KEY_DAYS}
        idPrefix="key"
      />
      <FormError message={form.formError} />
      <div className="actions">
        <SubmitButton form={form} busyLabel="Creating…">
          Create key
        </SubmitButton>
      </div>
    </form>
  );
}
