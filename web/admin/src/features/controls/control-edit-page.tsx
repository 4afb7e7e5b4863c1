import { controlInput, controlStatuses } from '@attest/modules/content/content.contract.js';
import { keyFromTitle } from '@attest/platform/validation/strings.js';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { z } from 'zod';
import { api } from '../../api/client.js';
import type { Category, Control } from '../../api/types.js';
import { useCan } from '../../auth/session.js';
import { formatDate, StatusBadge, statusLabels } from '../../ui/badges.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { Field, FormError, NumberField, SelectField, SubmitButton, TextField } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { type Form, useForm } from '../../ui/use-form.js';
import { CONTENT_KEY, nextReviewDue, useCategories } from '../content-queries.js';
import { EvidenceFieldset, evidenceTitles } from './evidence-fieldset.js';
import {
  ArtifactsFieldset,
  AttestationFieldset,
  DocumentsFieldset,
  UnevidencedWarning,
} from './proof-fieldset.js';

/** The API's control contract plus the category it lives in (POST /controls; PATCH takes the same fields). */
const controlForm = controlInput.extend({ categoryId: z.uuid({ error: 'Choose a category.' }) });
type ControlFormValues = z.input<typeof controlForm>;

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function ControlEditPage() {
  const { id } = useParams();
  const categories = useCategories();
  const control = useQuery({
    queryKey: [...CONTENT_KEY, 'control', id],
    queryFn: () => api.get<Control>(`/controls/${id}`),
    enabled: Boolean(id),
  });
  const can = useCan();
  const title = id ? (control.data?.title ?? 'Control') : 'New control';

  if (categories.isPending || (id && control.isPending)) {
    return (
      <>
        <PageHeader title={title} />
        <ListState state="loading" />
      </>
    );
  }
  if (categories.isError || control.isError) {
    return (
      <>
        <PageHeader title={title} />
        <ListState state="error" error={categories.error ?? control.error} />
      </>
    );
  }
  const list = categories.data.items;
  return (
    <>
      <PageHeader title={title} description={<Link to="/controls">Back to all controls</Link>} />
      {can('content:write') ? (
        <ControlForm key={id ?? 'new'} control={control.data} categories={list} />
      ) : control.data ? (
        <ControlDetails control={control.data} categories={list} />
      ) : (
        <ListState state="empty">You can read controls but not add them.</ListState>
      )}
    </>
  );
}

function ControlDetails({ control, categories }: { control: Control; categories: Category[] }) {
  return (
    <>
      <dl className="dl card">
        <dt>Category</dt>
        <dd>{categories.find((category) => category.id === control.categoryId)?.name ?? '—'}</dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={control.status} />
        </dd>
        <dt>Description</dt>
        <dd>{control.description || '—'}</dd>
        <dt>Last review</dt>
        <dd>{formatDate(control.lastReviewedOn)}</dd>
        <dt>Next review</dt>
        <dd>{control.lastReviewedOn ? formatDate(nextReviewDue(control)) : 'Never reviewed'}</dd>
        <dt>Frameworks</dt>
        <dd>{control.frameworks.map((ref) => `${ref.framework} ${ref.reference}`).join(', ') || '—'}</dd>
        <dt>Evidence</dt>
        <dd>{evidenceTitles(control.evidence) || '—'}</dd>
        <dt>Documents</dt>
        <dd>{control.documents.length ? `${control.documents.length} document(s)` : '—'}</dd>
        <dt>Public artifacts</dt>
        <dd>
          {control.artifacts.map((artifact) => `${artifact.title} (${artifact.href})`).join(', ') || '—'}
        </dd>
        <dt>Attested</dt>
        <dd>
          {control.attestation
            ? `${control.attestation.statement} — ${control.attestation.attestedBy}, ${formatDate(control.attestation.attestedOn)}`
            : '—'}
        </dd>
      </dl>
      <UnevidencedWarning {...control} />
    </>
  );
}

function ControlForm({ control, categories }: { control: Control | undefined; categories: Category[] }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const [keyEdited, setKeyEdited] = useState(Boolean(control));
  const initial: ControlFormValues = control
    ? {
        key: control.key,
        title: control.title,
        description: control.description,
        status: control.status,
        lastReviewedOn: control.lastReviewedOn,
        reviewIntervalDays: control.reviewIntervalDays,
        frameworks: control.frameworks,
        evidence: control.evidence,
        documents: control.documents,
        artifacts: control.artifacts,
        attestation: control.attestation,
        categoryId: control.categoryId,
      }
    : {
        key: '',
        title: '',
        description: '',
        status: 'implemented',
        lastReviewedOn: null,
        reviewIntervalDays: 365,
        frameworks: [],
        evidence: [],
        documents: [],
        artifacts: [],
        attestation: null,
        categoryId: params.get('category') ?? categories[0]?.id ?? '',
      };

  const form = useForm(controlForm, initial, async (body) => {
    const saved = control
      ? await api.patch<Control>(`/controls/${control.id}`, body)
      : await api.post<Control>('/controls', body);
    await queryClient.invalidateQueries({ queryKey: CONTENT_KEY });
    navigate('/controls', { state: { saved: saved.title } });
  });

  const remove = useMutation({
    mutationFn: () => api.delete(`/controls/${control?.id}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: CONTENT_KEY });
      navigate('/controls');
    },
  });

  if (categories.length === 0) {
    return (
      <ListState state="empty">
        Controls live in categories. <Link to="/categories">Add a category</Link> first.
      </ListState>
    );
  }

  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-label={control ? 'Edit control' : 'New control'}
    >
      <Field id="field-title" path="title" label="Title" error={form.error('title')} required>
        {(aria) => (
          <input
            {...aria}
            className="input"
            name="title"
            value={form.values.title}
            onChange={(event) => {
              form.set('title', event.target.value);
              if (!keyEdited) form.set('key', keyFromTitle(event.target.value));
            }}
          />
        )}
      </Field>
      <Field
        id="field-key"
        path="key"
        label="Key"
        hint="Stable identifier in the published JSON and page anchors."
        error={form.error('key')}
        required
      >
        {(aria) => (
          <input
            {...aria}
            className="input mono"
            name="key"
            value={form.values.key}
            onChange={(event) => {
              setKeyEdited(true);
              form.set('key', event.target.value);
            }}
          />
        )}
      </Field>
      <SelectField
        form={form}
        name="categoryId"
        label="Category"
        options={categories.map((category) => ({ value: category.id, label: category.name }))}
      />
      <SelectField
        form={form}
        name="status"
        label="Status"
        options={controlStatuses.map((value) => ({ value, label: statusLabels[value] }))}
      />
      <TextField
        form={form}
        name="description"
        label="Description"
        multiline
        hint="What the measure is and how it works. Blank lines separate paragraphs."
      />

      <Field
        id="field-lastReviewedOn"
        path="lastReviewedOn"
        label="Last reviewed on"
        error={form.error('lastReviewedOn')}
      >
        {(aria) => (
          <div className="row">
            <input
              {...aria}
              className="input input-inline"
              type="date"
              name="lastReviewedOn"
              value={form.values.lastReviewedOn ?? ''}
              onChange={(event) => form.set('lastReviewedOn', event.target.value || null)}
            />
            <button
              type="button"
              className="button button-small"
              onClick={() => form.set('lastReviewedOn', today())}
            >
              Reviewed today
            </button>
          </div>
        )}
      </Field>
      <NumberField form={form} name="reviewIntervalDays" label="Review every (days)" min={1} max={3660} />

      <FrameworksEditor form={form} />
      <EvidenceFieldset
        value={form.values.evidence ?? []}
        onChange={(next) => form.set('evidence', next)}
        error={form.error('evidence') ?? evidenceItemError(form)}
      />
      <DocumentsFieldset
        value={form.values.documents ?? []}
        onChange={(next) => form.set('documents', next)}
        error={(path) => form.error(path)}
      />
      <ArtifactsFieldset
        value={form.values.artifacts ?? []}
        onChange={(next) => form.set('artifacts', next)}
        error={(path) => form.error(path)}
      />
      <AttestationFieldset
        value={form.values.attestation ?? null}
        onChange={(next) => form.set('attestation', next)}
        error={(path) => form.error(path)}
      />
      <UnevidencedWarning
        status={form.values.status}
        evidence={form.values.evidence ?? []}
        documents={form.values.documents ?? []}
        artifacts={form.values.artifacts ?? []}
        attestation={form.values.attestation ?? null}
      />
      <FormError message={form.formError} />
      <ErrorNotice error={remove.error} />
      <div className="actions">
        <SubmitButton form={form}>{control ? 'Save control' : 'Add control'}</SubmitButton>
        <Link className="button" to="/controls">
          Cancel
        </Link>
        {control && (
          <ConfirmButton
            label="Delete"
            question={`Delete the control “${control.title}”?`}
            onConfirm={() => remove.mutate()}
            pending={remove.isPending}
          />
        )}
      </div>
    </form>
  );
}

/** A problem with one entry of the evidence list (the server names it by index). */
function evidenceItemError(form: Form<ControlFormValues>): string | undefined {
  const keys = form.values.evidence ?? [];
  for (const index of keys.keys()) {
    const message = form.error(`evidence.${index}`);
    if (message) return message;
  }
  return undefined;
}

/** Framework references (ISO 27001 A.8.24, SOC 2 CC6.1…), one row each. */
function FrameworksEditor({ form }: { form: Form<ControlFormValues> }) {
  const frameworks = form.values.frameworks ?? [];
  const update = (index: number, field: 'framework' | 'reference', value: string) =>
    form.set(
      'frameworks',
      frameworks.map((ref, at) => (at === index ? { ...ref, [field]: value } : ref)),
    );
  return (
    <fieldset>
      <legend>Framework references</legend>
      <div className="stack">
        {frameworks.length === 0 && <p className="muted">None yet.</p>}
        {frameworks.map((ref, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own; the index is the path the API reports errors at
          <div className="framework-row" key={index}>
            <Field
              id={`field-frameworks-${index}-framework`}
              path={`frameworks.${index}.framework`}
              label={`Framework ${index + 1}`}
              error={form.error(`frameworks.${index}.framework`)}
            >
              {(aria) => (
                <input
                  {...aria}
                  className="input"
                  value={ref.framework}
                  placeholder="ISO 27001:2022"
                  onChange={(event) => update(index, 'framework', event.target.value)}
                />
              )}
            </Field>
            <Field
              id={`field-frameworks-${index}-reference`}
              path={`frameworks.${index}.reference`}
              label={`Reference ${index + 1}`}
              error={form.error(`frameworks.${index}.reference`)}
            >
              {(aria) => (
                <input
                  {...aria}
                  className="input"
                  value={ref.reference}
                  placeholder="A.8.24"
                  onChange={(event) => update(index, 'reference', event.target.value)}
                />
              )}
            </Field>
            <button
              type="button"
              className="button button-small"
              aria-label={`Remove framework reference ${index + 1}`}
              onClick={() =>
                form.set(
                  'frameworks',
                  frameworks.filter((_ref, at) => at !== index),
                )
              }
            >
              Remove
            </button>
          </div>
        ))}
        <div>
          <button
            type="button"
            className="button button-small"
            onClick={() => form.set('frameworks', [...frameworks, { framework: '', reference: '' }])}
          >
            Add a framework reference
          </button>
        </div>
        {form.error('frameworks') && <p className="field-error">{form.error('frameworks')}</p>}
      </div>
    </fieldset>
  );
}
