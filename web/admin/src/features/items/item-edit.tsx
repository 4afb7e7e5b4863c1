import { keyFromTitle } from '@attest/platform/validation/strings.js';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { z } from 'zod';
import { api } from '../../api/client.js';
import { useCan } from '../../auth/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { Field, FormError, SubmitButton } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { useForm } from '../../ui/use-form.js';
import { CONTENT_KEY } from '../content-queries.js';

export interface ItemField {
  name: string;
  label: string;
  hint?: string;
  multiline?: boolean;
  type?: 'text' | 'url' | 'date';
  required?: boolean;
  /** Empty input means null (an optional URL). */
  nullable?: boolean;
  /** A choice among these values instead of free text; with `nullable`, '' is the "none" choice. */
  options?: { value: string; label: string }[];
}

export interface ItemEditConfig<Schema extends z.ZodObject> {
  url: string;
  noun: string;
  schema: Schema;
  /** The field whose text names the item and suggests its key. */
  titleField: string;
  fields: ItemField[];
  empty: z.input<Schema>;
}

type Values = Record<string, unknown>;

/** Create or edit one FAQ entry or subprocessor with the API's own schema; read-only without content:write. */
export function ItemEdit<Schema extends z.ZodObject>({ config }: { config: ItemEditConfig<Schema> }) {
  const { id } = useParams();
  const can = useCan();
  const item = useQuery({
    queryKey: [...CONTENT_KEY, config.url, id],
    queryFn: () => api.get<Values & { id: string }>(`${config.url}/${id}`),
    enabled: Boolean(id),
  });
  const name = id ? String(item.data?.[config.titleField] ?? config.noun) : `New ${config.noun}`;
  return (
    <>
      <PageHeader title={name} description={<Link to={config.url}>Back to the list</Link>} />
      {id && item.isPending && <ListState state="loading" />}
      {item.isError && <ListState state="error" error={item.error} onRetry={() => item.refetch()} />}
      {(!id || item.data) &&
        (can('content:write') ? (
          <ItemForm key={id ?? 'new'} config={config} item={item.data} />
        ) : item.data ? (
          <dl className="dl card">
            {config.fields.map((field) => (
              <div key={field.name}>
                <dt>{field.label}</dt>
                <dd>{String(item.data[field.name] ?? '') || '—'}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <ListState state="empty">You can read this list but not add to it.</ListState>
        ))}
    </>
  );
}

function ItemForm<Schema extends z.ZodObject>({
  config,
  item,
}: {
  config: ItemEditConfig<Schema>;
  item: (Values & { id: string }) | undefined;
}) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [keyEdited, setKeyEdited] = useState(Boolean(item));
  const initial = item
    ? (Object.fromEntries(Object.keys(config.empty).map((key) => [key, item[key]])) as z.input<Schema>)
    : config.empty;
  const form = useForm(config.schema, initial, async (body) => {
    if (item) await api.patch(`${config.url}/${item.id}`, body);
    else await api.post(config.url, body);
    await queryClient.invalidateQueries({ queryKey: CONTENT_KEY });
    navigate(config.url, { state: { saved: String((body as Values)[config.titleField] ?? '') } });
  });
  const values = form.values as Values;
  const set = (field: string, value: unknown) =>
    (form.set as (name: string, value: unknown) => void)(field, value);
  const remove = useMutation({
    mutationFn: () => api.delete(`${config.url}/${item?.id}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: CONTENT_KEY });
      navigate(config.url);
    },
  });
  const fields: ItemField[] = [
    config.fields.find((field) => field.name === config.titleField) as ItemField,
    { name: 'key', label: 'Key', hint: 'Stable identifier in the published JSON.', required: true },
    ...config.fields.filter((field) => field.name !== config.titleField),
  ];
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-label={item ? `Edit ${config.noun}` : `New ${config.noun}`}
    >
      {fields.map((field) => {
        const id = `field-${field.name}`;
        const value = values[field.name];
        const onChange = (text: string) => {
          set(field.name, field.nullable && text === '' ? null : text);
          if (field.name === 'key') setKeyEdited(true);
          if (field.name === config.titleField && !keyEdited) set('key', keyFromTitle(text));
        };
        return (
          <Field
            key={field.name}
            id={id}
            path={field.name}
            label={field.label}
            hint={field.hint}
            error={form.error(field.name)}
            required={field.required}
          >
            {(aria) =>
              field.options ? (
                <select
                  {...aria}
                  className="select"
                  value={String(value ?? '')}
                  onChange={(event) => onChange(event.target.value)}
                >
                  {field.options.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </select>
              ) : field.multiline ? (
                <textarea
                  {...aria}
                  className="textarea"
                  value={String(value ?? '')}
                  onChange={(event) => onChange(event.target.value)}
                />
              ) : (
                <input
                  {...aria}
                  className={field.name === 'key' ? 'input mono' : 'input'}
                  type={field.type ?? 'text'}
                  value={String(value ?? '')}
                  onChange={(event) => onChange(event.target.value)}
                />
              )
            }
          </Field>
        );
      })}
      <FormError message={form.formError} />
      <ErrorNotice error={remove.error} />
      <div className="actions">
        <SubmitButton form={form}>{item ? 'Save' : `Add ${config.noun}`}</SubmitButton>
        <Link className="button" to={config.url}>
          Cancel
        </Link>
        {item && (
          <ConfirmButton
            label="Delete"
            question={`Delete “${String(item[config.titleField] ?? '')}”?`}
            onConfirm={() => remove.mutate()}
            pending={remove.isPending}
          />
        )}
      </div>
    </form>
  );
}
