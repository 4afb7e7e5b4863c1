import { notificationSettingsInput } from '@attest/modules/subscribers/subscribers.contract.js';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.js';
import { useCan } from '../../auth/session.js';
import { Field, FormError, NumberField, SubmitButton, TextField } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { useForm } from '../../ui/use-form.js';
import {
  NOTICE_PERIOD_KEY,
  NOTIFICATION_SETTINGS_KEY,
  type NotificationSettings,
  useNotificationSettings,
} from './updates-queries.js';

/** The notice period of subprocessor changes, and how notice mails are signed. */
export function NotificationSettingsPage() {
  const settings = useNotificationSettings();
  return (
    <>
      <PageHeader
        title="Notification settings"
        description="How far ahead subprocessor changes are announced, and who the mails to subscribers come from."
      />
      {settings.isPending && <ListState state="loading" />}
      {settings.isError && (
        <ListState state="error" error={settings.error} onRetry={() => settings.refetch()} />
      )}
      {settings.data && <SettingsForm settings={settings.data} />}
    </>
  );
}

function SettingsForm({ settings }: { settings: NotificationSettings }) {
  const can = useCan();
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(false);
  const form = useForm(notificationSettingsInput, settings, async (body) => {
    setSaved(false);
    queryClient.setQueryData(
      NOTIFICATION_SETTINGS_KEY,
      await api.put<NotificationSettings>('/notification-settings', body),
    );
    await queryClient.invalidateQueries({ queryKey: NOTICE_PERIOD_KEY });
    setSaved(true);
  });
  const editable = can('settings:manage');
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-label="Notification settings"
    >
      <fieldset disabled={!editable}>
        <legend>Subprocessor changes</legend>
        <div className="stack">
          <NumberField
            form={form}
            name="noticePeriodDays"
            label="Notice period (days)"
            hint="A change can take effect this many days after it is announced, at the earliest (GDPR Art. 28(2): customers must be able to object). Between 1 and 365; 30 is common in data processing agreements."
            min={1}
            max={365}
            idPrefix="notification"
          />
          <p className="field-hint">
            Objections go to the security contact of your <Link to="/profile">trust center profile</Link>,
            which announcements name.
          </p>
        </div>
      </fieldset>
      <fieldset disabled={!editable}>
        <legend>Mails to subscribers</legend>
        <div className="stack">
          <TextField
            form={form}
            name="senderName"
            label="Sender name"
            hint="The name mails come from. Empty: your trust center's company name."
            idPrefix="notification"
          />
          <Field
            id="notification-replyTo"
            path="replyTo"
            label="Reply-to address"
            hint="Where replies to notices go, e.g. security@example.com. Empty: replies are not expected."
            error={form.error('replyTo')}
          >
            {(aria) => (
              <input
                {...aria}
                className="input"
                type="email"
                name="replyTo"
                autoComplete="off"
                value={form.values.replyTo ?? ''}
                onChange={(event) =>
                  form.set('replyTo', event.target.value.trim() === '' ? null : event.target.value)
                }
              />
            )}
          </Field>
        </div>
      </fieldset>
      <FormError message={form.formError} />
      {saved && <Notice tone="success">Notification settings saved.</Notice>}
      {editable && (
        <div className="actions">
          <SubmitButton form={form}>Save notification settings</SubmitButton>
        </div>
      )}
    </form>
  );
}
