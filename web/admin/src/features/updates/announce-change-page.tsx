import type { subprocessorInput } from '@attest/modules/content/content.contract.js';
import { changeInput } from '@attest/modules/subprocessor-changes/subprocessor-changes.contract.js';
import { isoDate, keyFromTitle } from '@attest/platform/validation/strings.js';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { z } from 'zod';
import { api } from '../../api/client.js';
import type { Subprocessor } from '../../api/types.js';
import { useCan } from '../../auth/session.js';
import { formatDate } from '../../ui/badges.js';
import { Field, FormError, SubmitButton, TextField } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { PageHeader } from '../../ui/page-header.js';
import { type Form, useForm } from '../../ui/use-form.js';
import { useItems } from '../items/item-list.js';
import {
  type NoticePeriod,
  type SubprocessorChange,
  UPDATES_KEY,
  useNoticePeriod,
} from './updates-queries.js';

type ChangeValues = z.input<typeof changeInput>;
type Incoming = z.input<typeof subprocessorInput>;
type Kind = ChangeValues['kind'];

/** The notice period when the tenant's could not be read (the server still enforces the true one). */
const DEFAULT_NOTICE_DAYS = 30;

/** A UTC calendar date `days` after today, as the server counts it. */
function daysFromToday(days: number): string {
  const today = new Date().toISOString().slice(0, 10);
  return new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const emptyIncoming: Incoming = {
  key: '',
  name: '',
  legalEntity: '',
  purpose: '',
  dataProcessed: '',
  location: '',
  transferSafeguards: '',
  website: null,
};

const kindOptions: { value: Kind; label: string }[] = [
  { value: 'add', label: 'Add a new subprocessor' },
  { value: 'replace', label: 'Replace a subprocessor with another' },
  { value: 'remove', label: 'Remove a subprocessor' },
];

/** Announce a subprocessor change: published as upcoming and sent to subscribers at once. */
export function AnnounceChangePage() {
  const can = useCan();
  const readsPeriod = can('content:read');
  const period = useNoticePeriod(readsPeriod);
  const subprocessors = useItems<Subprocessor>('/subprocessors');
  const loading = subprocessors.isPending || (readsPeriod && period.isPending);
  return (
    <>
      <PageHeader
        title="Announce a subprocessor change"
        description={<Link to="/subprocessor-changes">Back to subprocessor changes</Link>}
      />
      {!can('content:publish') ? (
        <ListState state="empty">Announcing a change needs the right to publish.</ListState>
      ) : loading ? (
        <ListState state="loading" />
      ) : subprocessors.isError ? (
        <ListState state="error" error={subprocessors.error} onRetry={() => subprocessors.refetch()} />
      ) : (
        <AnnounceForm subprocessors={subprocessors.data?.items ?? []} period={period.data ?? null} />
      )}
    </>
  );
}

function AnnounceForm({
  subprocessors,
  period,
}: {
  subprocessors: Subprocessor[];
  /** null when it could not be read: the form guesses the default, the server still enforces it. */
  period: NoticePeriod | null;
}) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [keyEdited, setKeyEdited] = useState(false);
  const noticeDays = period?.noticePeriodDays ?? null;
  const earliest = period?.earliestEffectiveOn ?? daysFromToday(DEFAULT_NOTICE_DAYS);
  // The API's contract plus the notice period, so a date too soon is refused as it is typed.
  const schema = useMemo(
    () =>
      noticeDays === null
        ? changeInput
        : changeInput.refine((change) => change.effectiveOn >= earliest, {
            path: ['effectiveOn'],
            message: `Choose ${formatDate(earliest)} or later: the notice period is ${noticeDays} days.`,
            // Checked as soon as the date is a date, even while other fields are still incomplete.
            when: (payload) =>
              isoDate.safeParse((payload.value as { effectiveOn?: unknown }).effectiveOn).success,
          }),
    [noticeDays, earliest],
  );
  const initial: ChangeValues = {
    kind: 'add',
    subprocessorKey: null,
    subprocessor: { ...emptyIncoming },
    summary: '',
    effectiveOn: earliest,
  };
  const form = useForm(schema, initial, async (body) => {
    const change = await api.post<SubprocessorChange>('/subprocessor-changes', body);
    await queryClient.invalidateQueries({ queryKey: UPDATES_KEY });
    navigate('/subprocessor-changes', {
      state: {
        flash: `Announced for ${formatDate(change.effectiveOn)}. It is listed as upcoming on the public subprocessors page, and subscribers are being notified.`,
      },
    });
  });
  const kind = form.values.kind;
  const setKind = (next: Kind) => {
    form.set('kind', next);
    form.set('subprocessorKey', next === 'add' ? null : (form.values.subprocessorKey ?? null));
    form.set('subprocessor', next === 'remove' ? null : (form.values.subprocessor ?? { ...emptyIncoming }));
  };
  const noticeHint =
    noticeDays === null
      ? `At least the notice period from today (${DEFAULT_NOTICE_DAYS} days unless your trust center set another).`
      : `The notice period is ${noticeDays} days: the earliest date is ${formatDate(earliest)}.`;

  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-label="Announce a subprocessor change"
    >
      <Field id="change-kind" path="kind" label="Change" error={form.error('kind')}>
        {(aria) => (
          <select
            {...aria}
            className="select"
            name="kind"
            value={kind}
            onChange={(event) => setKind(event.target.value as Kind)}
          >
            {kindOptions.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {kind !== 'add' && (
        <Field
          id="change-subprocessorKey"
          path="subprocessorKey"
          label={kind === 'replace' ? 'Subprocessor that goes' : 'Subprocessor to remove'}
          error={form.error('subprocessorKey')}
          required
        >
          {(aria) => (
            <select
              {...aria}
              className="select"
              name="subprocessorKey"
              value={form.values.subprocessorKey ?? ''}
              onChange={(event) => form.set('subprocessorKey', event.target.value || null)}
            >
              <option value="">Choose a subprocessor</option>
              {subprocessors.map((item) => (
                <option key={item.key} value={item.key}>
                  {item.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {kind !== 'remove' && (
        <IncomingFields
          form={form}
          heading={kind === 'replace' ? 'Subprocessor that comes' : 'New subprocessor'}
          keyEdited={keyEdited}
          onKeyEdited={() => setKeyEdited(true)}
        />
      )}
      <TextField
        form={form}
        name="summary"
        label="Why"
        multiline
        hint="A few words, shown on the public page and in the mail to subscribers."
        idPrefix="change"
      />
      <Field
        id="change-effectiveOn"
        path="effectiveOn"
        label="Effective on"
        hint={noticeHint}
        error={form.error('effectiveOn')}
        required
      >
        {(aria) => (
          <input
            {...aria}
            className="input input-inline"
            type="date"
            name="effectiveOn"
            min={noticeDays === null ? undefined : earliest}
            value={form.values.effectiveOn}
            onChange={(event) => form.set('effectiveOn', event.target.value)}
          />
        )}
      </Field>
      <FormError message={form.formError} />
      <p className="field-hint">
        Announcing publishes the change at once as upcoming on the public subprocessors page and in the
        updates feed, and e-mails subscribers of subprocessor changes and of all updates. The list itself
        changes on the effective date.
      </p>
      <div className="actions">
        <SubmitButton form={form} busyLabel="Announcing…">
          Announce and notify subscribers
        </SubmitButton>
        <Link className="button" to="/subprocessor-changes">
          Cancel
        </Link>
      </div>
    </form>
  );
}

const incomingFields: {
  name: keyof Incoming & string;
  label: string;
  hint?: string;
  multiline?: boolean;
  required?: boolean;
}[] = [
  { name: 'name', label: 'Name', required: true },
  { name: 'key', label: 'Key', hint: 'Stable identifier in the published JSON.', required: true },
  { name: 'legalEntity', label: 'Legal entity' },
  { name: 'purpose', label: 'Purpose', multiline: true },
  { name: 'dataProcessed', label: 'Data processed', multiline: true },
  { name: 'location', label: 'Location', hint: 'Where the data is processed, e.g. Germany (EU).' },
  {
    name: 'transferSafeguards',
    label: 'Transfer safeguards',
    multiline: true,
    hint: 'For transfers outside the EEA, e.g. SCCs.',
  },
  { name: 'website', label: 'Website', hint: 'An http(s) address.' },
];

/** The incoming subprocessor's fields: the same contract as the subprocessor list's own. */
function IncomingFields({
  form,
  heading,
  keyEdited,
  onKeyEdited,
}: {
  form: Form<ChangeValues>;
  heading: string;
  keyEdited: boolean;
  onKeyEdited: () => void;
}) {
  const incoming = form.values.subprocessor ?? emptyIncoming;
  const update = (name: keyof Incoming, text: string) => {
    const next: Incoming = { ...incoming, [name]: name === 'website' && text === '' ? null : text };
    if (name === 'name' && !keyEdited) next.key = keyFromTitle(text);
    if (name === 'key') onKeyEdited();
    form.set('subprocessor', next);
  };
  return (
    <fieldset data-path="subprocessor">
      <legend>{heading}</legend>
      <div className="stack">
        {form.error('subprocessor') && <p className="field-error">{form.error('subprocessor')}</p>}
        {incomingFields.map((field) => {
          const path = `subprocessor.${field.name}`;
          const value = String(incoming[field.name] ?? '');
          return (
            <Field
              key={field.name}
              id={`change-subprocessor-${field.name}`}
              path={path}
              label={field.label}
              hint={field.hint}
              error={form.error(path)}
              required={field.required}
            >
              {(aria) =>
                field.multiline ? (
                  <textarea
                    {...aria}
                    className="textarea"
                    value={value}
                    onChange={(event) => update(field.name, event.target.value)}
                  />
                ) : (
                  <input
                    {...aria}
                    className={field.name === 'key' ? 'input mono' : 'input'}
                    type={field.name === 'website' ? 'url' : 'text'}
                    value={value}
                    onChange={(event) => update(field.name, event.target.value)}
                  />
                )
              }
            </Field>
          );
        })}
      </div>
    </fieldset>
  );
}
