import { POST_BODY_MAX, postInput, updateKind } from '@attest/modules/updates/updates.contract.js';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import type { z } from 'zod';
import { api } from '../../api/client.js';
import { useCan, useMe } from '../../auth/session.js';
import { Badge, formatDateTime } from '../../ui/badges.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { Field, FormError, SelectField, SubmitButton, TextField } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { useForm } from '../../ui/use-form.js';
import { BodyPreview } from './body-preview.js';
import {
  type Incident,
  kindAudience,
  kindLabels,
  UPDATES_KEY,
  type UpdatePost,
  useIncidents,
} from './updates-queries.js';

type PostValues = z.input<typeof postInput>;

/** Write, correct, publish or delete one post of the updates feed. */
export function UpdateEditPage() {
  const { id } = useParams();
  const can = useCan();
  const post = useQuery({
    queryKey: [...UPDATES_KEY, 'post', id],
    queryFn: () => api.get<UpdatePost>(`/updates/${id}`),
    enabled: Boolean(id),
  });
  const title = id ? (post.data?.title ?? 'Update') : 'New update';
  return (
    <>
      <PageHeader title={title} description={<Link to="/updates">Back to all updates</Link>} />
      {id && post.isPending && <ListState state="loading" />}
      {post.isError && <ListState state="error" error={post.error} onRetry={() => post.refetch()} />}
      {(!id || post.data) &&
        (can('updates:write') ? (
          <PostForm key={post.data?.id ?? 'new'} post={post.data} />
        ) : post.data ? (
          <PostDetails post={post.data} />
        ) : (
          <ListState state="empty">You can read updates but not write them.</ListState>
        ))}
    </>
  );
}

function PostState({ post }: { post: UpdatePost }) {
  return post.publishedAt ? (
    <p>
      <Badge tone="success">Published</Badge> on {formatDateTime(post.publishedAt)}
    </p>
  ) : (
    <p>
      <Badge tone="neutral">Draft</Badge> Only members see it until it is published.
    </p>
  );
}

function PostDetails({ post }: { post: UpdatePost }) {
  return (
    <div className="card stack">
      <PostState post={post} />
      <dl className="dl">
        <div>
          <dt>Kind</dt>
          <dd>{kindLabels[post.kind]}</dd>
        </div>
        <div>
          <dt>Text (Markdown)</dt>
          <dd className="markdown-source">{post.body || '—'}</dd>
        </div>
      </dl>
    </div>
  );
}

function PostForm({ post }: { post: UpdatePost | undefined }) {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const incidents = useIncidents();
  const [params] = useSearchParams();
  const incidentId = params.get('incident');
  const intent = useRef<'save' | 'publish'>('save');
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const published = Boolean(post?.publishedAt);
  const initial: PostValues = post
    ? { kind: post.kind, title: post.title, body: post.body, incidentId: post.incidentId }
    : incidentId
      ? { kind: 'incident', title: '', body: '', incidentId }
      : { kind: 'general', title: '', body: '', incidentId: null };

  const form = useForm(postInput, initial, async (values) => {
    // Only an incident post is linked to an incident (the select is hidden for other kinds).
    const body = { ...values, incidentId: values.kind === 'incident' ? values.incidentId : null };
    // Read before the first await: onSubmit resets the intent right after handing over.
    const publishing = intent.current === 'publish';
    const saved = post
      ? await api.patch<UpdatePost>(`/updates/${post.id}`, body)
      : await api.post<UpdatePost>('/updates', body);
    if (publishing) await api.post<UpdatePost>(`/updates/${saved.id}/publish`);
    await queryClient.invalidateQueries({ queryKey: UPDATES_KEY });
    if (publishing) {
      navigate('/updates', {
        state: { flash: `Published “${saved.title}”. Subscribers are being notified (see Notices).` },
      });
    } else if (!post) {
      navigate(`/updates/${saved.id}`, { replace: true });
    } else {
      setSavedAt(new Date().toISOString());
    }
  });

  const remove = useMutation({
    mutationFn: () => api.delete(`/updates/${post?.id}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: UPDATES_KEY });
      navigate('/updates', { state: { flash: `Deleted “${post?.title}”.` } });
    },
  });

  const kind = form.values.kind;
  const bodyLength = (form.values.body ?? '').length;
  const publish = () => {
    intent.current = 'publish';
    form.formRef.current?.requestSubmit();
  };

  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={(event) => {
        form.handleSubmit(event);
        intent.current = 'save';
      }}
      noValidate
      aria-label={post ? 'Edit update' : 'New update'}
    >
      {post && <PostState post={post} />}
      {published && (
        <p className="field-hint">
          Changes to a published post correct the public feed at once; subscribers are not e-mailed again.{' '}
          <a href={`/t/${me.tenant.slug}/updates#update-${post?.id}`}>See it on the public updates page</a>.
        </p>
      )}
      <SelectField
        form={form}
        name="kind"
        label="Kind"
        idPrefix="update"
        options={updateKind.options.map((value) => ({ value, label: kindLabels[value] }))}
        hint={`Publishing notifies ${kindAudience[kind ?? 'general']}.`}
      />
      {kind === 'incident' && <IncidentLink form={form} incidents={incidents.data?.items} />}
      <TextField form={form} name="title" label="Title" required idPrefix="update" />
      <Field
        id="update-body"
        path="body"
        label="Text"
        hint={
          <>
            Markdown: **bold**, *italic*, [links](https://example.com), lists, headings. Raw HTML is removed
            on the public site.{' '}
            <span className={bodyLength > POST_BODY_MAX ? 'count count-over' : 'count'}>
              {bodyLength.toLocaleString('en-GB')} of {POST_BODY_MAX.toLocaleString('en-GB')} characters
            </span>
          </>
        }
        error={form.error('body')}
      >
        {(aria) => (
          <textarea
            {...aria}
            className="textarea textarea-tall mono"
            name="body"
            value={form.values.body ?? ''}
            onChange={(event) => form.set('body', event.target.value)}
          />
        )}
      </Field>
      <div>
        <button
          type="button"
          className="button button-small"
          aria-expanded={previewing}
          aria-controls="update-preview"
          onClick={() => setPreviewing((shown) => !shown)}
        >
          {previewing ? 'Hide preview' : 'Show preview'}
        </button>
      </div>
      <div id="update-preview">{previewing && <BodyPreview body={form.values.body ?? ''} />}</div>
      <FormError message={form.formError} />
      <ErrorNotice error={remove.error} />
      {savedAt && !form.formError && (
        <p className="notice notice-success" role="status">
          Saved at {formatDateTime(savedAt)}.
        </p>
      )}
      <div className="actions">
        <SubmitButton form={form}>
          {published ? 'Save correction' : post ? 'Save draft' : 'Save as draft'}
        </SubmitButton>
        {!published && (
          <ConfirmButton
            label="Publish"
            confirmLabel="Yes, publish and notify"
            question={`Publish to the public feed and e-mail ${kindAudience[kind ?? 'general']}?`}
            onConfirm={publish}
            pending={form.submitting}
          />
        )}
        <Link className="button" to="/updates">
          Cancel
        </Link>
        {post && (
          <ConfirmButton
            label={published ? 'Delete' : 'Delete draft'}
            question={
              published
                ? `Delete “${post.title}”? It leaves the public feed; mails already sent stay sent.`
                : `Delete the draft “${post.title}”?`
            }
            onConfirm={() => remove.mutate()}
            pending={remove.isPending}
          />
        )}
      </div>
      {!published && (
        <p className="field-hint">
          Publishing puts the post on the public updates page and its RSS, Atom and JSON feeds, and e-mails{' '}
          {kindAudience[kind ?? 'general']} (confirmed subscribers only). A sent mail cannot be recalled.
        </p>
      )}
    </form>
  );
}

function IncidentLink({
  form,
  incidents,
}: {
  form: ReturnType<typeof useForm<typeof postInput>>;
  incidents: Incident[] | undefined;
}) {
  return (
    <Field
      id="update-incidentId"
      path="incidentId"
      label="Incident"
      hint="Once a published post linked to an incident has gone out to subscribers, that time is recorded as when customers were notified (if not recorded yet)."
      error={form.error('incidentId')}
    >
      {(aria) => (
        <select
          {...aria}
          className="select"
          name="incidentId"
          value={form.values.incidentId ?? ''}
          onChange={(event) => form.set('incidentId', event.target.value || null)}
        >
          <option value="">Not linked to an incident</option>
          {(incidents ?? []).map((incident) => (
            <option key={incident.id} value={incident.id}>
              {incident.title} (detected {formatDateTime(incident.detectedAt)})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
