import { categoryInput } from '@attest/modules/content/content.contract.js';
import { keyFromTitle } from '@attest/platform/validation/strings.js';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.js';
import type { Category } from '../../api/types.js';
import { useCan } from '../../auth/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { Field, FormError, SubmitButton, TextField } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { Announcer, useReorder } from '../../ui/reorder.js';
import { useForm } from '../../ui/use-form.js';
import { CONTENT_KEY, useCategories } from '../content-queries.js';

export function CategoriesPage() {
  const can = useCan();
  const categories = useCategories();
  const reorder = useReorder('/categories/order', CONTENT_KEY);
  const [editing, setEditing] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: string) => api.delete(`/categories/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: CONTENT_KEY }),
  });
  const items = categories.data?.items ?? [];
  const ids = items.map((category) => category.id);
  const writable = can('content:write');

  return (
    <>
      <PageHeader
        title="Categories"
        description="Controls are grouped in categories, shown in this order on the public page."
      />
      <Announcer message={reorder.announcement} />
      <ErrorNotice error={reorder.error ?? remove.error} />
      {categories.isPending && <ListState state="loading" label="Loading categories…" />}
      {categories.isError && (
        <ListState state="error" error={categories.error} onRetry={() => categories.refetch()} />
      )}
      {categories.data && items.length === 0 && (
        <ListState state="empty">There are no categories yet.</ListState>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Controls</th>
                {writable && (
                  <th scope="col" className="cell-actions">
                    Actions
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {items.map((category, index) =>
                editing === category.id ? (
                  <tr key={category.id}>
                    <td colSpan={4}>
                      <CategoryForm category={category} onDone={() => setEditing(null)} />
                    </td>
                  </tr>
                ) : (
                  <tr key={category.id}>
                    <td>
                      <Link to={`/controls?category=${category.id}`}>{category.name}</Link>
                      {category.description && <div className="muted">{category.description}</div>}
                    </td>
                    <td className="mono">{category.key}</td>
                    <td>{category.controlCount}</td>
                    {writable && (
                      <td className="cell-actions">
                        <span className="actions">
                          {reorder.buttons(ids, index, category.name)}
                          <button
                            type="button"
                            className="button button-small"
                            onClick={() => setEditing(category.id)}
                            aria-label={`Edit ${category.name}`}
                          >
                            Edit
                          </button>
                          <ConfirmButton
                            label="Delete"
                            question={`Delete “${category.name}” and its ${category.controlCount} controls?`}
                            onConfirm={() => remove.mutate(category.id)}
                            pending={remove.isPending}
                          />
                        </span>
                      </td>
                    )}
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
      {writable && (
        <section className="stack" aria-labelledby="new-category-title">
          <h2 id="new-category-title">Add a category</h2>
          <CategoryForm />
        </section>
      )}
    </>
  );
}

function CategoryForm({ category, onDone }: { category?: Category; onDone?: () => void }) {
  const queryClient = useQueryClient();
  const [keyEdited, setKeyEdited] = useState(Boolean(category));
  const initial = {
    key: category?.key ?? '',
    name: category?.name ?? '',
    description: category?.description ?? '',
  };
  const prefix = category ? `category-${category.id}` : 'new-category';
  const form = useForm(categoryInput, initial, async (body) => {
    if (category) await api.patch(`/categories/${category.id}`, body);
    else await api.post('/categories', body);
    await queryClient.invalidateQueries({ queryKey: CONTENT_KEY });
    if (!category) form.reset(initial);
    onDone?.();
  });
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-label={category ? `Edit ${category.name}` : 'New category'}
    >
      <Field id={`${prefix}-name`} path="name" label="Name" error={form.error('name')} required>
        {(aria) => (
          <input
            {...aria}
            className="input"
            value={form.values.name}
            onChange={(event) => {
              form.set('name', event.target.value);
              if (!keyEdited) form.set('key', keyFromTitle(event.target.value));
            }}
          />
        )}
      </Field>
      <Field id={`${prefix}-key`} path="key" label="Key" error={form.error('key')} required>
        {(aria) => (
          <input
            {...aria}
            className="input mono"
            value={form.values.key}
            onChange={(event) => {
              setKeyEdited(true);
              form.set('key', event.target.value);
            }}
          />
        )}
      </Field>
      <TextField form={form} name="description" label="Description" multiline idPrefix={prefix} />
      <FormError message={form.formError} />
      <div className="actions">
        <SubmitButton form={form}>{category ? 'Save category' : 'Add category'}</SubmitButton>
        {onDone && (
          <button type="button" className="button" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
