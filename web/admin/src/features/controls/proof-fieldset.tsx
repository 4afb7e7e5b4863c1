import type { ControlArtifact, ControlAttestation } from '@attest/modules/content/content.contract.js';
import { useCan } from '../../auth/session.js';
import { Field } from '../../ui/fields.js';
import { Notice } from '../../ui/notice.js';
import { useDocuments } from '../documents/documents-queries.js';

/*
 * How a control is evidenced besides live checks (decision 0031): the trust center's documents
 * that prove it, public artifacts (a link, or a path in the source repository) and the company's
 * attested statement. The server names a problem by path (`artifacts.0.href`); `error` maps it.
 */

export interface ProofValues {
  documents: string[];
  artifacts: ControlArtifact[];
  attestation: ControlAttestation | null;
}

type ErrorAt = (path: string) => string | undefined;

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** A warning for an implemented control that names no evidence at all. */
export function UnevidencedWarning({
  status,
  evidence,
  documents,
  artifacts,
  attestation,
}: ProofValues & {
  status: string | undefined;
  evidence: readonly string[];
}) {
  if (status !== 'implemented') return null;
  if (evidence.length || documents.length || artifacts.length || attestation) return null;
  return (
    <Notice tone="warning">
      This control is marked implemented but names no evidence. Tick a live check, add a document or a public
      artifact, or record who attests it, so the claim is backed on the security page.
    </Notice>
  );
}

export function DocumentsFieldset({
  value,
  onChange,
  error,
}: {
  value: readonly string[];
  onChange: (next: string[]) => void;
  error: ErrorAt;
}) {
  const can = useCan();
  const documents = useDocuments(can('documents:read'));
  const items = documents.data?.items ?? [];
  const unknown = value.filter((id) => documents.data && !items.some((document) => document.id === id));
  return (
    <fieldset data-path="documents">
      <legend>Documents</legend>
      <p className="field-hint">
        Policies and reports of this trust center that prove the control. Visitors see public and on-request
        documents beside it; a private one stays unnamed on the public page.
      </p>
      {!can('documents:read') && <p className="muted">You cannot read the documents of this trust center.</p>}
      {documents.data && items.length === 0 && <p className="muted">No documents yet.</p>}
      <div className="evidence-checks">
        {items.map((document) => {
          const id = `proof-document-${document.id}`;
          return (
            <label className="check" htmlFor={id} key={document.id}>
              <input
                id={id}
                type="checkbox"
                checked={value.includes(document.id)}
                onChange={(event) =>
                  onChange(
                    event.target.checked
                      ? [...value, document.id]
                      : value.filter((candidate) => candidate !== document.id),
                  )
                }
              />
              <span>
                {document.title} <span className="muted">({document.accessLevel})</span>
              </span>
            </label>
          );
        })}
        {unknown.map((id) => (
          <label className="check" key={id}>
            <input
              type="checkbox"
              checked
              onChange={() => onChange(value.filter((candidate) => candidate !== id))}
            />
            <span className="muted">A deleted document</span>
          </label>
        ))}
      </div>
      {(error('documents') ?? value.map((_id, index) => error(`documents.${index}`)).find(Boolean)) && (
        <p className="field-error">
          {error('documents') ?? value.map((_id, index) => error(`documents.${index}`)).find(Boolean)}
        </p>
      )}
    </fieldset>
  );
}

export function ArtifactsFieldset({
  value,
  onChange,
  error,
}: {
  value: readonly ControlArtifact[];
  onChange: (next: ControlArtifact[]) => void;
  error: ErrorAt;
}) {
  const update = (index: number, field: keyof ControlArtifact, text: string) =>
    onChange(value.map((artifact, at) => (at === index ? { ...artifact, [field]: text } : artifact)));
  return (
    <fieldset data-path="artifacts">
      <legend>Public artifacts</legend>
      <p className="field-hint">
        Files anyone can read that show the control: a link, or a path in the source repository such as
        deploy/kubernetes/base/network-policies.yaml or docs/operations.md#logs.
      </p>
      <div className="stack">
        {value.length === 0 && <p className="muted">None yet.</p>}
        {value.map((artifact, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own; the index is the path the API reports errors at
          <div className="framework-row" key={index}>
            <Field
              id={`field-artifacts-${index}-title`}
              path={`artifacts.${index}.title`}
              label={`Artifact ${index + 1}`}
              error={error(`artifacts.${index}.title`)}
            >
              {(aria) => (
                <input
                  {...aria}
                  className="input"
                  value={artifact.title}
                  placeholder="Network policies"
                  onChange={(event) => update(index, 'title', event.target.value)}
                />
              )}
            </Field>
            <Field
              id={`field-artifacts-${index}-href`}
              path={`artifacts.${index}.href`}
              label={`Link or path ${index + 1}`}
              error={error(`artifacts.${index}.href`)}
            >
              {(aria) => (
                <input
                  {...aria}
                  className="input mono"
                  value={artifact.href}
                  placeholder="deploy/kubernetes/base/network-policies.yaml"
                  onChange={(event) => update(index, 'href', event.target.value)}
                />
              )}
            </Field>
            <button
              type="button"
              className="button button-small"
              aria-label={`Remove artifact ${index + 1}`}
              onClick={() => onChange(value.filter((_artifact, at) => at !== index))}
            >
              Remove
            </button>
          </div>
        ))}
        <div>
          <button
            type="button"
            className="button button-small"
            onClick={() => onChange([...value, { title: '', href: '' }])}
          >
            Add an artifact
          </button>
        </div>
        {error('artifacts') && <p className="field-error">{error('artifacts')}</p>}
      </div>
    </fieldset>
  );
}

export function AttestationFieldset({
  value,
  onChange,
  error,
}: {
  value: ControlAttestation | null;
  onChange: (next: ControlAttestation | null) => void;
  error: ErrorAt;
}) {
  const set = (field: keyof ControlAttestation, text: string) =>
    onChange({ ...(value ?? { statement: '', attestedBy: '', attestedOn: today() }), [field]: text });
  return (
    <fieldset data-path="attestation">
      <legend>Attested by the company</legend>
      <label className="check" htmlFor="attestation-on">
        <input
          id="attestation-on"
          type="checkbox"
          checked={value !== null}
          onChange={(event) =>
            onChange(event.target.checked ? { statement: '', attestedBy: '', attestedOn: today() } : null)
          }
        />
        <span>The company states this itself (nothing a visitor can check)</span>
      </label>
      {value && (
        <div className="stack">
          <Field
            id="field-attestation-statement"
            path="attestation.statement"
            label="Statement"
            error={error('attestation.statement')}
          >
            {(aria) => (
              <textarea
                {...aria}
                className="input"
                rows={3}
                value={value.statement}
                onChange={(event) => set('statement', event.target.value)}
              />
            )}
          </Field>
          <Field
            id="field-attestation-by"
            path="attestation.attestedBy"
            label="Attested by"
            error={error('attestation.attestedBy')}
          >
            {(aria) => (
              <input
                {...aria}
                className="input"
                value={value.attestedBy}
                placeholder="Head of Security"
                onChange={(event) => set('attestedBy', event.target.value)}
              />
            )}
          </Field>
          <Field
            id="field-attestation-on"
            path="attestation.attestedOn"
            label="Attested on"
            error={error('attestation.attestedOn')}
          >
            {(aria) => (
              <input
                {...aria}
                className="input input-inline"
                type="date"
                value={value.attestedOn}
                onChange={(event) => set('attestedOn', event.target.value)}
              />
            )}
          </Field>
        </div>
      )}
    </fieldset>
  );
}
