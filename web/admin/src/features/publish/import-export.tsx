import { trustCenterDocument } from '@attest/modules/content/content.contract.js';
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { ApiError, api, apiPath } from '../../api/client.js';
import { useCan } from '../../auth/session.js';
import { Notice } from '../../ui/notice.js';
import { CONTENT_KEY } from '../content-queries.js';

type Step = 'idle' | 'reading' | 'validating' | 'uploading' | 'done' | 'failed';

const stepNumber: Record<Step, number> = {
  idle: 0,
  reading: 1,
  validating: 2,
  uploading: 3,
  done: 4,
  failed: 0,
};
const stepLabel: Record<Step, string> = {
  idle: '',
  reading: 'Reading the file…',
  validating: 'Checking it against the trust center format…',
  uploading: 'Replacing the draft…',
  done: 'Done.',
  failed: '',
};

async function parseFile(file: File): Promise<unknown> {
  const text = await file.text();
  if (/\.json$/i.test(file.name)) return JSON.parse(text) as unknown;
  // YAML is a superset of JSON; its parser is loaded only when someone imports a file.
  const { parse } = await import('yaml');
  return parse(text, { maxAliasCount: 100 }) as unknown;
}

/** Trust center as code in the browser: the whole draft out as JSON, and a JSON or YAML file back in. */
export function ImportExport() {
  const can = useCan();
  const queryClient = useQueryClient();
  const inputId = useId();
  const publishId = useId();
  const [step, setStep] = useState<Step>('idle');
  const [problems, setProblems] = useState<string[]>([]);
  const [alsoPublish, setAlsoPublish] = useState(false);

  async function importFile(file: File) {
    setProblems([]);
    try {
      setStep('reading');
      const raw = await parseFile(file);
      setStep('validating');
      const parsed = trustCenterDocument.safeParse(raw);
      if (!parsed.success) {
        setProblems(
          parsed.error.issues
            .slice(0, 20)
            .map((issue) => `${issue.path.join('.') || 'file'}: ${issue.message}`),
        );
        setStep('failed');
        return;
      }
      setStep('uploading');
      await api.post(`/import?publish=${alsoPublish && can('content:publish')}`, parsed.data);
      await queryClient.invalidateQueries({ queryKey: CONTENT_KEY });
      setStep('done');
    } catch (error) {
      setProblems(
        error instanceof ApiError
          ? [error.message, ...error.details.map((detail) => `${detail.path || 'file'}: ${detail.message}`)]
          : [
              error instanceof Error
                ? `The file could not be read: ${error.message}`
                : 'The file could not be read.',
            ],
      );
      setStep('failed');
    }
  }

  const busy = step === 'reading' || step === 'validating' || step === 'uploading';
  return (
    <section className="card stack" aria-labelledby="transfer-heading">
      <h2 id="transfer-heading">Trust center as code</h2>
      <p>
        <a className="button" href={apiPath('/export')} download="trust-center.json">
          Download the draft (JSON)
        </a>
      </p>
      {can('content:write') && (
        <div className="stack">
          <div className="field">
            <label htmlFor={inputId}>Import a file</label>
            <p className="field-hint" id={`${inputId}-hint`}>
              A JSON or YAML trust center document (the format of <code>attest content export</code>). It
              replaces the whole draft; an invalid file changes nothing.
            </p>
            <input
              id={inputId}
              type="file"
              accept=".json,.yaml,.yml,application/json"
              aria-describedby={`${inputId}-hint`}
              disabled={busy}
              onChange={(event) => {
                const file = event.target.files?.[0];
                if (file) void importFile(file);
                event.target.value = '';
              }}
            />
          </div>
          {can('content:publish') && (
            <label className="check" htmlFor={publishId}>
              <input
                id={publishId}
                type="checkbox"
                checked={alsoPublish}
                onChange={(event) => setAlsoPublish(event.target.checked)}
              />
              Publish in the same step
            </label>
          )}
          {step !== 'idle' && step !== 'failed' && (
            <div role="status" className="stack">
              <p>{stepLabel[step]}</p>
              <progress className="progress" max={4} value={stepNumber[step]} aria-label="Import progress" />
            </div>
          )}
          {step === 'done' && <Notice tone="success">The draft now equals the file.</Notice>}
          {problems.length > 0 && (
            <div className="notice notice-error" role="alert">
              <p>The file was not imported:</p>
              <ul>
                {problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
