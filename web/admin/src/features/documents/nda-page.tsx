import { accessRulesInput, emailDomain, ndaInput } from '@attest/modules/documents/access.contract.js';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { ApiError, api } from '../../api/client.js';
import { useCan } from '../../auth/session.js';
import { formatDateTime } from '../../ui/badges.js';
import { FormError, NumberField, SubmitButton, TextField } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { PageHeader } from '../../ui/page-header.js';
import { useForm } from '../../ui/use-form.js';
import { type AccessRules, NDA_KEY, type Nda, RULES_KEY, useAccessRules } from './documents-queries.js';

/** The NDA visitors accept before requesting documents, and the rules that decide requests. */
export function NdaPage() {
  const can = useCan();
  const nda = useQuery({ queryKey: NDA_KEY, queryFn: () => api.get<Nda>('/nda') });
  const manage = can('access_requests:manage');
  return (
    <>
      <PageHeader
        title="NDA and access rules"
        description="What a visitor accepts before asking for documents on request, and which requests are decided without you."
      />
      <div className="stack-lg">
        {nda.isPending && <ListState state="loading" label="Loading the NDA…" />}
        {nda.isError && <ListState state="error" error={nda.error} onRetry={() => nda.refetch()} />}
        {nda.data && <NdaSection nda={nda.data} editable={manage} />}
        {manage && <RulesSection />}
      </div>
    </>
  );
}

function NdaSection({ nda, editable }: { nda: Nda; editable: boolean }) {
  const current = nda.current;
  return (
    <section className="stack" aria-labelledby="nda-heading">
      <h2 id="nda-heading">Confidentiality agreement (NDA)</h2>
      {current ? (
        <dl className="dl card">
          <div>
            <dt>Current version</dt>
            <dd>
              Version {current.version}, published {formatDateTime(current.createdAt)}
            </dd>
          </div>
          <div>
            <dt>SHA-256 of the text</dt>
            <dd>
              <code className="hash">{current.sha256}</code>
            </dd>
          </div>
        </dl>
      ) : (
        <ListState state="empty">
          There is no NDA yet: visitors request documents without accepting one.
        </ListState>
      )}
      {editable ? <NdaForm nda={nda} /> : current && <div className="card pre-line">{current.text}</div>}
      {nda.versions.length > 1 && (
        <details>
          <summary>Earlier versions ({nda.versions.length - 1})</summary>
          <ul>
            {nda.versions
              .filter((version) => version.version !== current?.version)
              .map((version) => (
                <li key={version.version}>
                  Version {version.version}, {formatDateTime(version.createdAt)} ·{' '}
                  <code className="hash">{version.sha256}</code>
                </li>
              ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function NdaForm({ nda }: { nda: Nda }) {
  const queryClient = useQueryClient();
  const [published, setPublished] = useState<number | null>(null);
  const current = nda.current;
  const form = useForm(ndaInput, { text: current?.text ?? '' }, async (body) => {
    const saved = await api.put<Nda>('/nda', body);
    queryClient.setQueryData(NDA_KEY, saved);
    setPublished(saved.current?.version ?? null);
  });
  const next = (current?.version ?? 0) + 1;
  const unchanged = current !== null && form.values.text.trim() === current.text;
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-labelledby="nda-form-heading"
    >
      <h3 id="nda-form-heading">{current ? 'Edit the NDA' : 'Write the NDA'}</h3>
      <TextField
        form={form}
        name="text"
        label="NDA text"
        required
        multiline
        idPrefix="nda"
        hint="Plain text; blank lines separate paragraphs. Publishing a changed text makes it a new version: later requests accept that one, earlier acceptances keep theirs."
      />
      <FormError message={form.formError} />
      <div role="status">
        {published !== null && (
          <p className="notice notice-success">Version {published} is the NDA visitors accept now.</p>
        )}
      </div>
      <div className="actions">
        {unchanged ? (
          <p className="muted">
            This is the text of version {current.version}: change it to publish a new version.
          </p>
        ) : (
          <SubmitButton form={form} busyLabel="Publishing…">
            Publish as version {next}
          </SubmitButton>
        )}
      </div>
    </form>
  );
}

/** A textarea of domains, one a line, checked line by line with the API's own domain rule. */
const domainLines = z.string().transform((value, ctx) => {
  const domains: string[] = [];
  value.split('\n').forEach((raw, index) => {
    const entry = raw.trim();
    if (!entry) return;
    const parsed = emailDomain.safeParse(entry.replace(/^@/, ''));
    if (parsed.success) domains.push(parsed.data);
    else
      ctx.addIssue({
        code: 'custom',
        message: `Line ${index + 1} (“${entry}”): ${parsed.error.issues[0]?.message}.`,
      });
  });
  return [...new Set(domains)];
});

const rulesForm = z
  .object({
    autoApproveDomains: domainLines,
    autoDenyDomains: domainLines,
    grantDays: accessRulesInput.shape.grantDays,
  })
  .pipe(accessRulesInput);

function RulesSection() {
  const rules = useAccessRules();
  return (
    <section className="stack" aria-labelledby="rules-heading">
      <h2 id="rules-heading">Access rules</h2>
      {rules.isPending && <ListState state="loading" label="Loading the rules…" />}
      {rules.isError && <ListState state="error" error={rules.error} onRetry={() => rules.refetch()} />}
      {rules.data && <RulesForm rules={rules.data} />}
    </section>
  );
}

function RulesForm({ rules }: { rules: AccessRules }) {
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(false);
  const form = useForm(
    rulesForm,
    {
      autoApproveDomains: rules.autoApproveDomains.join('\n'),
      autoDenyDomains: rules.autoDenyDomains.join('\n'),
      grantDays: rules.grantDays,
    },
    async (body) => {
      setSaved(false);
      try {
        const answer = await api.put<AccessRules>('/access-rules', body);
        queryClient.setQueryData(RULES_KEY, answer);
      } catch (error) {
        // The API names a list entry ("autoApproveDomains.2"); the form shows it at the list.
        if (!(error instanceof ApiError)) throw error;
        throw new ApiError(
          error.status,
          error.code,
          error.message,
          error.details.map((detail) => ({ ...detail, path: detail.path.split('.')[0] ?? detail.path })),
          error.requestId,
        );
      }
      setSaved(true);
    },
  );
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-label="Access rules"
    >
      <TextField
        form={form}
        name="autoApproveDomains"
        label="Approve automatically"
        multiline
        idPrefix="rules"
        hint="E-mail domains, one a line (e.g. customer.example). Requests from them, or their subdomains, are approved at once and get their link by e-mail."
      />
      <TextField
        form={form}
        name="autoDenyDomains"
        label="Deny automatically"
        multiline
        idPrefix="rules"
        hint="E-mail domains, one a line, e.g. free mail providers or competitors. Denying wins when a domain is on both lists."
      />
      <NumberField
        form={form}
        name="grantDays"
        label="Access lasts (days)"
        hint="How long a grant lasts unless you choose otherwise when approving; 1 to 365."
        min={1}
        max={365}
        idPrefix="rules"
      />
      <FormError message={form.formError} />
      <div role="status">{saved && <p className="notice notice-success">Saved the rules.</p>}</div>
      <div className="actions">
        <SubmitButton form={form}>Save rules</SubmitButton>
      </div>
    </form>
  );
}
