import { settingsInput } from '@attest/modules/accounts/accounts.contract.js';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.js';
import type { Settings } from '../../api/types.js';
import { useCan } from '../../auth/session.js';
import { FormError, NumberField, SubmitButton } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { useForm } from '../../ui/use-form.js';

const SETTINGS_KEY = ['settings'] as const;

export function SettingsPage() {
  const settings = useQuery({ queryKey: SETTINGS_KEY, queryFn: () => api.get<Settings>('/settings') });
  return (
    <>
      <PageHeader
        title="Settings"
        description="How long sessions last, and whether everyone needs a second factor."
      />
      {settings.isPending && <ListState state="loading" />}
      {settings.isError && (
        <ListState state="error" error={settings.error} onRetry={() => settings.refetch()} />
      )}
      {settings.data && <SettingsForm settings={settings.data} />}
    </>
  );
}

function SettingsForm({ settings }: { settings: Settings }) {
  const can = useCan();
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(false);
  const form = useForm(settingsInput, settings, async (body) => {
    setSaved(false);
    queryClient.setQueryData(SETTINGS_KEY, await api.put<Settings>('/settings', body));
    setSaved(true);
  });
  const editable = can('settings:manage');
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-label="Settings"
    >
      <fieldset disabled={!editable}>
        <legend>Sessions</legend>
        <div className="stack">
          <NumberField
            form={form}
            name="sessionIdleMinutes"
            label="Sign out after idle (minutes)"
            hint="Between 5 minutes and 24 hours."
            min={5}
            max={1440}
          />
          <NumberField
            form={form}
            name="sessionAbsoluteHours"
            label="Sign out after (hours) in all"
            hint="Between 1 hour and 30 days."
            min={1}
            max={720}
          />
        </div>
      </fieldset>
      <fieldset disabled={!editable}>
        <legend>Second factor</legend>
        <label className="check" htmlFor="settings-requireMfa">
          <input
            id="settings-requireMfa"
            type="checkbox"
            checked={form.values.requireMfa}
            onChange={(event) => form.set('requireMfa', event.target.checked)}
          />
          Require two-factor authentication for every member
        </label>
        <p className="field-hint">Members without it must set it up before they can do anything else.</p>
      </fieldset>
      <FormError message={form.formError} />
      {saved && <Notice tone="success">Settings saved. New limits apply to sessions from now on.</Notice>}
      {editable && (
        <div className="actions">
          <SubmitButton form={form}>Save settings</SubmitButton>
        </div>
      )}
    </form>
  );
}
