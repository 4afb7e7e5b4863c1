import { documentInput } from '@attest/modules/documents/documents.contract.js';
import { fileKindLabel, sizeLabel } from '@attest/modules/documents/file-labels.js';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'react-router';
import { useCan } from '../../auth/session.js';
import { Badge, formatDate } from '../../ui/badges.js';
import { FormError, SubmitButton } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { Notice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { useForm } from '../../ui/use-form.js';
import { DocumentFields } from './document-fields.js';
import {
  accessLevelLabels,
  categoryLabels,
  DOCUMENTS_KEY,
  type DocumentItem,
  useDocuments,
  validity,
} from './documents-queries.js';
import { chosenFile, FileField, UploadProgress, useFileUpload } from './file-upload.js';

const accessTones = { public: 'success', gated: 'warning', private: 'neutral' } as const;

export function ValidUntil({ expiresOn }: { expiresOn: string | null }) {
  const state = validity(expiresOn);
  if (!state) return <span className="muted">No expiry</span>;
  return (
    <span className="actions">
      <span>{formatDate(expiresOn)}</span>
      {state.label && <Badge tone={state.tone}>{state.label}</Badge>}
    </span>
  );
}

export function AccessBadge({ level }: { level: DocumentItem['accessLevel'] }) {
  return <Badge tone={accessTones[level]}>{accessLevelLabels[level]}</Badge>;
}

/** The documents of the trust center, and the form that uploads a new one. */
export function DocumentsPage() {
  const can = useCan();
  const location = useLocation();
  const documents = useDocuments();
  const [uploaded, setUploaded] = useState<DocumentItem | null>(null);
  const deleted = (location.state as { deleted?: string } | null)?.deleted;
  const items = documents.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Documents"
        description="Reports, policies and agreements for your customers' security reviews: public, on request (after an NDA and your approval) or private."
      />
      <div className="stack-lg">
        {deleted && !uploaded && <Notice tone="success">Deleted “{deleted}” and all its versions.</Notice>}
        {uploaded && (
          <Notice tone="success">
            Uploaded <Link to={`/documents/${uploaded.id}`}>{uploaded.title}</Link> (version 1).
          </Notice>
        )}
        <section className="stack" aria-labelledby="documents-heading">
          <h2 id="documents-heading" className="visually-hidden">
            All documents
          </h2>
          {documents.isPending && <ListState state="loading" label="Loading documents…" />}
          {documents.isError && (
            <ListState state="error" error={documents.error} onRetry={() => documents.refetch()} />
          )}
          {documents.data && items.length === 0 && (
            <ListState state="empty">
              There are no documents yet.
              {can('documents:write') && ' Upload the first one below.'}
            </ListState>
          )}
          {items.length > 0 && (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Title</th>
                    <th scope="col">Category</th>
                    <th scope="col">Access</th>
                    <th scope="col">Current version</th>
                    <th scope="col">Valid until</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((document) => (
                    <tr key={document.id}>
                      <td>
                        <Link to={`/documents/${document.id}`}>{document.title}</Link>
                      </td>
                      <td>{categoryLabels[document.category]}</td>
                      <td>
                        <AccessBadge level={document.accessLevel} />
                      </td>
                      <td>
                        {document.currentVersion
                          ? `Version ${document.currentVersion.version}, ${fileKindLabel(document.currentVersion.mediaType, 'short')}, ${sizeLabel(document.currentVersion.sizeBytes)}`
                          : '—'}
                      </td>
                      <td>
                        <ValidUntil expiresOn={document.expiresOn} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        {can('documents:write') && <UploadForm onUploaded={setUploaded} />}
      </div>
    </>
  );
}

const uploadSchema = documentInput.extend({ file: chosenFile });

function UploadForm({ onUploaded }: { onUploaded: (document: DocumentItem) => void }) {
  const queryClient = useQueryClient();
  const uploader = useFileUpload();
  const initial = {
    title: '',
    description: '',
    category: 'other' as const,
    accessLevel: 'gated' as const,
    expiresOn: '',
    file: undefined,
  };
  const form = useForm(uploadSchema, initial, async ({ file, ...metadata }) => {
    const body = new FormData();
    body.set('title', metadata.title);
    body.set('description', metadata.description);
    body.set('category', metadata.category);
    body.set('accessLevel', metadata.accessLevel);
    body.set('expiresOn', metadata.expiresOn ?? '');
    body.set('file', file, file.name);
    const created = await uploader.send<DocumentItem>('/bff/api/documents', body);
    form.reset(initial);
    uploader.clearInput();
    onUploaded(created);
    await queryClient.invalidateQueries({ queryKey: DOCUMENTS_KEY });
  });
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-labelledby="upload-heading"
      aria-busy={form.submitting || undefined}
    >
      <h2 id="upload-heading">Upload a document</h2>
      <DocumentFields form={form} idPrefix="upload" />
      <FileField form={form} idPrefix="upload" inputKey={uploader.inputKey} />
      <FormError message={form.formError} />
      <UploadProgress active={form.submitting} file={form.values.file} progress={uploader.progress} />
      <div className="actions">
        <SubmitButton form={form} busyLabel="Uploading…">
          Upload document
        </SubmitButton>
      </div>
    </form>
  );
}
