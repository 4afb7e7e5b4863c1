import { documentInput, newVersionBody } from '@attest/modules/documents/documents.contract.js';
import { sizeLabel } from '@attest/modules/documents/file-labels.js';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, apiPath, type Page } from '../../api/client.js';
import { useCan } from '../../auth/session.js';
import { Badge, formatDateTime } from '../../ui/badges.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormError, SubmitButton } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice, Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { useForm } from '../../ui/use-form.js';
import { DocumentFields } from './document-fields.js';
import { AccessBadge, ValidUntil } from './documents-page.js';
import {
  CHANGED_BY_VISITORS,
  categoryLabels,
  DOCUMENTS_KEY,
  type DocumentDetail,
  type DocumentVersionOutput,
  type DownloadOutput,
  useActorName,
  useDocument,
  useGrants,
} from './documents-queries.js';
import { chosenFile, FileField, UploadProgress, useFileUpload } from './file-upload.js';

/** One document: its details, its versions with their files, and who downloaded it. */
export function DocumentPage() {
  const { id } = useParams();
  const document = useDocument(id);
  const can = useCan();
  return (
    <>
      <PageHeader
        title={document.data?.title ?? 'Document'}
        description={<Link to="/documents">Back to the documents</Link>}
      />
      {document.isPending && <ListState state="loading" label="Loading the document…" />}
      {document.isError && (
        <ListState state="error" error={document.error} onRetry={() => document.refetch()} />
      )}
      {document.data && (
        <div className="stack-lg">
          {can('documents:write') ? (
            <MetadataForm document={document.data} />
          ) : (
            <Summary document={document.data} />
          )}
          <Versions document={document.data} />
          {can('access_requests:manage') && <DownloadLog document={document.data} />}
          {can('documents:write') && <DeleteDocument document={document.data} />}
        </div>
      )}
    </>
  );
}

function Summary({ document }: { document: DocumentDetail }) {
  return (
    <section className="card stack" aria-labelledby="summary-heading">
      <h2 id="summary-heading">Details</h2>
      <dl className="dl">
        <div>
          <dt>Description</dt>
          <dd className="pre-line">{document.description || '—'}</dd>
        </div>
        <div>
          <dt>Category</dt>
          <dd>{categoryLabels[document.category]}</dd>
        </div>
        <div>
          <dt>Access</dt>
          <dd>
            <AccessBadge level={document.accessLevel} />
          </dd>
        </div>
        <div>
          <dt>Valid until</dt>
          <dd>
            <ValidUntil expiresOn={document.expiresOn} />
          </dd>
        </div>
      </dl>
    </section>
  );
}

function MetadataForm({ document }: { document: DocumentDetail }) {
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(false);
  const form = useForm(
    documentInput,
    {
      title: document.title,
      description: document.description,
      category: document.category,
      accessLevel: document.accessLevel,
      expiresOn: document.expiresOn ?? '',
    },
    async (body) => {
      setSaved(false);
      await api.patch(`/documents/${document.id}`, body);
      setSaved(true);
      await queryClient.invalidateQueries({ queryKey: DOCUMENTS_KEY });
    },
  );
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-labelledby="details-heading"
    >
      <h2 id="details-heading">Details</h2>
      <DocumentFields form={form} idPrefix="document" />
      <FormError message={form.formError} />
      <div role="status">{saved && <p className="notice notice-success">Saved the details.</p>}</div>
      <div className="actions">
        <SubmitButton form={form}>Save details</SubmitButton>
      </div>
    </form>
  );
}

function versionLabel(version: DocumentVersionOutput) {
  return `version ${version.version} (${version.filename})`;
}

function Versions({ document }: { document: DocumentDetail }) {
  const can = useCan();
  const actorName = useActorName();
  return (
    <section className="stack" aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions</h2>
      <p className="muted">
        Visitors always get the newest version; older ones are kept for your records. Every download is
        logged.
      </p>
      {document.versions.length === 0 ? (
        <ListState state="empty">This document has no file yet.</ListState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">File</th>
                <th scope="col">Size</th>
                <th scope="col">SHA-256</th>
                <th scope="col">Uploaded</th>
                <th scope="col" className="cell-actions">
                  File
                </th>
              </tr>
            </thead>
            <tbody>
              {document.versions.map((version, index) => (
                <tr key={version.id}>
                  <td>
                    {version.version} {index === 0 && <Badge tone="success">current</Badge>}
                  </td>
                  <td>{version.filename}</td>
                  <td>{sizeLabel(version.sizeBytes)}</td>
                  <td>
                    <code className="hash" title={version.sha256}>
                      {version.sha256}
                    </code>
                  </td>
                  <td>
                    {formatDateTime(version.uploadedAt)}
                    <div className="muted">by {actorName(version.uploadedBy)}</div>
                  </td>
                  <td className="cell-actions">
                    <a
                      className="button button-small"
                      href={apiPath(`/documents/${document.id}/file`, { version: version.version })}
                      download={version.filename}
                      aria-label={`Download ${versionLabel(version)}`}
                    >
                      Download
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {can('documents:write') && <NewVersionForm document={document} />}
    </section>
  );
}

const versionSchema = newVersionBody.extend({ file: chosenFile });

function NewVersionForm({ document }: { document: DocumentDetail }) {
  const queryClient = useQueryClient();
  const uploader = useFileUpload();
  const [added, setAdded] = useState<DocumentVersionOutput | null>(null);
  const form = useForm(versionSchema, { file: undefined }, async ({ file }) => {
    setAdded(null);
    const body = new FormData();
    body.set('file', file, file.name);
    const version = await uploader.send<DocumentVersionOutput>(
      `/bff/api/documents/${document.id}/versions`,
      body,
    );
    form.reset({ file: undefined });
    uploader.clearInput();
    setAdded(version);
    await queryClient.invalidateQueries({ queryKey: DOCUMENTS_KEY });
  });
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-labelledby="new-version-heading"
      aria-busy={form.submitting || undefined}
    >
      <h3 id="new-version-heading">Upload a new version</h3>
      <FileField form={form} idPrefix="version" label="New file" inputKey={uploader.inputKey} />
      <FormError message={form.formError} />
      <UploadProgress active={form.submitting} file={form.values.file} progress={uploader.progress} />
      {added && <Notice tone="success">Version {added.version} is now the current one.</Notice>}
      <div className="actions">
        <SubmitButton form={form} busyLabel="Uploading…">
          Upload version
        </SubmitButton>
      </div>
    </form>
  );
}

function DownloadLog({ document }: { document: DocumentDetail }) {
  const actorName = useActorName();
  const grants = useGrants();
  const downloads = useInfiniteQuery({
    queryKey: [...DOCUMENTS_KEY, document.id, 'downloads'],
    queryFn: ({ pageParam }) =>
      api.get<Page<DownloadOutput>>(`/documents/${document.id}/downloads`, { limit: 50, offset: pageParam }),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextOffset ?? undefined,
    staleTime: CHANGED_BY_VISITORS,
  });
  const byGrant = new Map((grants.data?.items ?? []).map((grant) => [grant.id, grant]));
  const rows = downloads.data?.pages.flatMap((page) => page.items) ?? [];
  const who = (download: DownloadOutput) => {
    if (download.grantId) {
      const grant = byGrant.get(download.grantId);
      return grant ? `${grant.email} (${grant.company})` : `grant ${download.grantId.slice(0, 8)}`;
    }
    if (download.actor.kind === 'visitor') return 'Anonymous visitor';
    return actorName(`${download.actor.kind}:${download.actor.id}`);
  };
  return (
    <section className="stack" aria-labelledby="downloads-heading">
      <h2 id="downloads-heading">Download log</h2>
      {downloads.isPending && <ListState state="loading" label="Loading downloads…" />}
      {downloads.isError && (
        <ListState state="error" error={downloads.error} onRetry={() => downloads.refetch()} />
      )}
      {downloads.data && rows.length === 0 && (
        <ListState state="empty">Nobody has downloaded this document yet.</ListState>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Grant</th>
                <th scope="col">Version</th>
                <th scope="col">Watermarked</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((download) => (
                <tr key={download.id}>
                  <td>{formatDateTime(download.downloadedAt)}</td>
                  <td>{who(download)}</td>
                  <td className="mono">{download.grantId ?? '—'}</td>
                  <td>{download.version}</td>
                  <td>{download.watermarked ? 'Yes' : 'No'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {downloads.hasNextPage && (
        <button
          type="button"
          className="button"
          onClick={() => downloads.fetchNextPage()}
          disabled={downloads.isFetchingNextPage}
        >
          {downloads.isFetchingNextPage ? 'Loading…' : 'Show older downloads'}
        </button>
      )}
    </section>
  );
}

function DeleteDocument({ document }: { document: DocumentDetail }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api.delete(`/documents/${document.id}`),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: [...DOCUMENTS_KEY, document.id] });
      await queryClient.invalidateQueries({ queryKey: DOCUMENTS_KEY });
      navigate('/documents', { state: { deleted: document.title } });
    },
  });
  return (
    <section className="card stack" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete</h2>
      <p>
        Deleting removes every version and its stored file. The document disappears from the trust center and
        from every grant at once; downloads already logged stay on record.
      </p>
      <ErrorNotice error={remove.error} />
      <div>
        <ConfirmButton
          label="Delete document"
          confirmLabel="Yes, delete it"
          question={`Delete “${document.title}” and all ${document.versions.length} versions?`}
          onConfirm={() => remove.mutate()}
          pending={remove.isPending}
        />
      </div>
    </section>
  );
}
