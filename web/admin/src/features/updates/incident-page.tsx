import { incidentInput } from '@attest/modules/updates/updates.contract.js';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { z } from 'zod';
import { api } from '../../api/client.js';
import { useCan } from '../../auth/session.js';
import { Badge, formatDateTime } from '../../ui/badges.js';
import { FormError, SubmitButton, TextField } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { useForm } from '../../ui/use-form.js';
import { DateTimeField } from './date-time-field.js';
import { TimeToNotifySummary } from './time-to-notify.js';
import {
  awaitingNotice,
  type Incident,
  kindLabels,
  UPDATES_KEY,
  type UpdatePost,
  usePosts,
} from './updates-queries.js';

type IncidentValues = z.input<typeof incidentInput>;

function incidentQuery(id: string | undefined, posts?: UpdatePost[]) {
  return {
    queryKey: [...UPDATES_KEY, 'incident', id],
    queryFn: () => api.get<Incident>(`/incidents/${id}`),
    enabled: Boolean(id),
    // Shortly while a linked update's notice is going out (the worker then records the time).
    refetchInterval: (query: { state: { data?: Incident | undefined } }) =>
      query.state.data && awaitingNotice(query.state.data, posts) ? 3_000 : 60_000,
  };
}

/** One incident: its time to notify, its dates, and the update posts that told customers. */
export function IncidentPage() {
  const { id } = useParams();
  const can = useCan();
  const posts = usePosts();
  const incident = useQuery(incidentQuery(id, posts.data?.items));
  // Up here: the form below is rebuilt from the saved incident (its key changes with updatedAt).
  const [saved, setSaved] = useState(false);
  const title = id ? (incident.data?.title ?? 'Incident') : 'Record an incident';
  return (
    <>
      <PageHeader title={title} description={<Link to="/incidents">Back to all incidents</Link>} />
      {id && incident.isPending && <ListState state="loading" />}
      {incident.isError && (
        <ListState state="error" error={incident.error} onRetry={() => incident.refetch()} />
      )}
      {incident.data && (
        <div className="stack-lg">
          <section className="stack" aria-labelledby="notify-heading">
            <h2 id="notify-heading">Time to notify customers</h2>
            <TimeToNotifySummary incident={incident.data} />
            {!incident.data.customersNotifiedAt && (
              <p className="muted">
                Publish an incident update linked to this incident: once its notice has gone out to
                subscribers, the time is recorded here. It cannot be entered by hand, because the public
                evidence on your trust center counts it.
              </p>
            )}
          </section>
          <IncidentPosts incident={incident.data} writable={can('updates:write')} />
          {can('updates:write') ? (
            <IncidentForm
              key={`${incident.data.id}-${incident.data.updatedAt}`}
              incident={incident.data}
              saved={saved}
              onSaved={setSaved}
            />
          ) : (
            <IncidentDetails incident={incident.data} />
          )}
        </div>
      )}
      {!id &&
        (can('updates:write') ? (
          <IncidentForm incident={undefined} saved={false} onSaved={setSaved} />
        ) : (
          <ListState state="empty">You can read incidents but not record them.</ListState>
        ))}
    </>
  );
}

function IncidentPosts({ incident, writable }: { incident: Incident; writable: boolean }) {
  const posts = usePosts();
  const linked = (posts.data?.items ?? []).filter((post) => post.incidentId === incident.id);
  return (
    <section className="stack" aria-labelledby="incident-posts-heading">
      <h2 id="incident-posts-heading">Updates about this incident</h2>
      {posts.isPending && <ListState state="loading" label="Loading updates…" />}
      {posts.isError && <ListState state="error" error={posts.error} onRetry={() => posts.refetch()} />}
      {posts.data && linked.length === 0 && (
        <ListState state="empty">No update post is linked to this incident.</ListState>
      )}
      {linked.length > 0 && (
        <ul>
          {linked.map((post) => (
            <li key={post.id}>
              <Link to={`/updates/${post.id}`}>{post.title}</Link>{' '}
              <span className="muted">({kindLabels[post.kind]})</span>{' '}
              {post.publishedAt ? (
                <Badge tone="success">Published</Badge>
              ) : (
                <Badge tone="neutral">Draft</Badge>
              )}
            </li>
          ))}
        </ul>
      )}
      {writable && (
        <p>
          <Link to={`/updates/new?incident=${incident.id}`}>Write an incident update for subscribers</Link>
        </p>
      )}
    </section>
  );
}

function IncidentDetails({ incident }: { incident: Incident }) {
  return (
    <dl className="dl card">
      <div>
        <dt>Detected</dt>
        <dd>{formatDateTime(incident.detectedAt)}</dd>
      </div>
      <div>
        <dt>Customers notified</dt>
        <dd>{incident.customersNotifiedAt ? formatDateTime(incident.customersNotifiedAt) : 'Not yet'}</dd>
      </div>
      <div>
        <dt>Resolved</dt>
        <dd>{incident.resolvedAt ? formatDateTime(incident.resolvedAt) : 'Open'}</dd>
      </div>
    </dl>
  );
}

function nowToTheMinute(): string {
  const now = new Date();
  now.setSeconds(0, 0);
  return now.toISOString();
}

function IncidentForm({
  incident,
  saved,
  onSaved,
}: {
  incident: Incident | undefined;
  saved: boolean;
  onSaved: (saved: boolean) => void;
}) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const initial: IncidentValues = incident
    ? {
        title: incident.title,
        detectedAt: incident.detectedAt,
        resolvedAt: incident.resolvedAt,
      }
    : { title: '', detectedAt: nowToTheMinute(), resolvedAt: null };
  const form = useForm(incidentInput, initial, async (body) => {
    onSaved(false);
    if (incident) {
      const updated = await api.patch<Incident>(`/incidents/${incident.id}`, body);
      queryClient.setQueryData(incidentQuery(incident.id).queryKey, updated);
      await queryClient.invalidateQueries({ queryKey: UPDATES_KEY });
      onSaved(true);
    } else {
      const created = await api.post<Incident>('/incidents', body);
      await queryClient.invalidateQueries({ queryKey: UPDATES_KEY });
      navigate(`/incidents/${created.id}`, { replace: true });
    }
  });
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-labelledby="incident-form-heading"
    >
      <h2 id="incident-form-heading">{incident ? 'Details' : 'What happened'}</h2>
      <TextField
        form={form}
        name="title"
        label="Title"
        hint="Shown to members only; the update post says what customers read."
        required
        idPrefix="incident"
      />
      <DateTimeField
        form={form}
        name="detectedAt"
        label="Detected at"
        hint={
          incident
            ? 'Your local time. It can be moved earlier, not later, and not into the future.'
            : 'Your local time. The 24 hours to notify customers count from here; it may lie in the past, not in the future.'
        }
        required
        nowLabel="Now"
        idPrefix="incident"
      />
      {incident && (
        <p>
          <strong>Customers notified:</strong>{' '}
          {incident.customersNotifiedAt ? formatDateTime(incident.customersNotifiedAt) : 'Not yet'}{' '}
          <span className="muted">(recorded when a linked incident update has gone out)</span>
        </p>
      )}
      <DateTimeField
        form={form}
        name="resolvedAt"
        label="Resolved at"
        nowLabel="Just now"
        idPrefix="incident"
      />
      <FormError message={form.formError} />
      {saved && <Notice tone="success">Incident saved.</Notice>}
      <div className="actions">
        <SubmitButton form={form}>{incident ? 'Save incident' : 'Record incident'}</SubmitButton>
        <Link className="button" to="/incidents">
          Cancel
        </Link>
      </div>
    </form>
  );
}
