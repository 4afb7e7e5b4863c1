import {
  type CertificationOutput,
  certificationInput,
  certificationState,
} from '@attest/modules/certifications/certifications.contract.js';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ALL, api, type Page } from '../../api/client.js';
import { useCan } from '../../auth/session.js';
import { Badge, formatDate } from '../../ui/badges.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { Field, FormError, SelectField, SubmitButton, TextField } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { type Form, useForm } from '../../ui/use-form.js';
import { useDocuments } from './documents-queries.js';

const CERTIFICATIONS_KEY = ['certifications'] as const;

/**
 * Certifications and the reports behind them (decision 0031): a badge shows on the public
 * overview only while its report is published, expires by itself after its end date, and staff
 * are mailed 30 days before.
 */
export function CertificationsPage() {
  const can = useCan();
  const list = useQuery({
    queryKey: CERTIFICATIONS_KEY,
    queryFn: () => api.get<Page<CertificationOutput>>('/certifications', ALL),
  });
  return (
    <>
      <PageHeader
        title="Certifications"
        description="Audits and certificates, each bound to the report in Documents that proves it. No badge without a report."
      />
      <div className="stack-lg">
        {list.isPending && <ListState state="loading" label="Loading certifications…" />}
        {list.isError && <ListState state="error" error={list.error} onRetry={() => list.refetch()} />}
        {list.data && list.data.items.length === 0 && (
          <ListState state="empty">
            No certifications. Upload the report to Documents first, then add it here.
          </ListState>
        )}
        {list.data && list.data.items.length > 0 && (
          <CertificationTable items={list.data.items} editable={can('documents:write')} />
        )}
        {can('documents:write') && <CertificationForm />}
      </div>
    </>
  );
}

function CertificationTable({ items, editable }: { items: CertificationOutput[]; editable: boolean }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: string) => api.delete(`/certifications/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: CERTIFICATIONS_KEY }),
  });
  const today = new Date().toISOString().slice(0, 10);
  return (
    <div className="card">
      <ErrorNotice error={remove.error} />
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Certification</th>
            <th scope="col">Valid</th>
            <th scope="col">Report</th>
            {editable && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {items.map((item) => {
            const state = certificationState(item, today);
            return (
              <tr key={item.id}>
                <td>
                  {item.name}
                  <br />
                  <span className="muted">{item.auditor}</span>
                </td>
                <td>
                  {formatDate(item.validFrom)} – {formatDate(item.validUntil)}{' '}
                  <Badge tone={state === 'expired' ? 'danger' : state === 'upcoming' ? 'neutral' : 'success'}>
                    {state === 'expired' ? 'Expired' : state === 'upcoming' ? 'Not yet valid' : 'Valid'}
                  </Badge>
                </td>
                <td>
                  {item.documentTitle}
                  <br />
                  <code className="hash">{item.documentSha256.slice(0, 16)}…</code>
                  {!item.documentCurrent && (
                    <>
                      {' '}
                      <Badge tone="warning">A newer file was uploaded</Badge>
                    </>
                  )}
                </td>
                {editable && (
                  <td className="cell-actions">
                    <ConfirmButton
                      label="Delete"
                      question={`Delete the certification “${item.name}”? Its badge goes at once.`}
                      onConfirm={() => remove.mutate(item.id)}
                      pending={remove.isPending}
                    />
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

type CertificationValues = { validFrom: string; validUntil: string };

function DateField<Values extends CertificationValues>({
  form,
  name,
  label,
}: {
  form: Form<Values>;
  name: keyof CertificationValues;
  label: string;
}) {
  return (
    <Field id={`field-${name}`} path={name} label={label} error={form.error(name)} required>
      {(aria) => (
        <input
          {...aria}
          className="input input-inline"
          type="date"
          name={name}
          value={form.values[name]}
          onChange={(event) => form.set(name, event.target.value as Values[typeof name])}
        />
      )}
    </Field>
  );
}

function CertificationForm() {
  const queryClient = useQueryClient();
  const documents = useDocuments();
  const reports = documents.data?.items ?? [];
  const form = useForm(
    certificationInput,
    { name: '', auditor: '', scope: '', validFrom: '', validUntil: '', documentId: reports[0]?.id ?? '' },
    async (body) => {
      await api.post<CertificationOutput>('/certifications', body);
      await queryClient.invalidateQueries({ queryKey: CERTIFICATIONS_KEY });
    },
  );
  if (documents.data && reports.length === 0) {
    return (
      <ListState state="empty">Upload the report to Documents before adding its certification.</ListState>
    );
  }
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-label="Add a certification"
    >
      <h2>Add a certification</h2>
      <TextField
        form={form}
        name="name"
        label="Name"
        hint="For example SOC 2 Type II or ISO/IEC 27001:2022."
        required
      />
      <TextField form={form} name="auditor" label="Auditor" required />
      <TextField form={form} name="scope" label="Scope" multiline />
      <DateField form={form} name="validFrom" label="Valid from" />
      <DateField form={form} name="validUntil" label="Valid until" />
      <SelectField
        form={form}
        name="documentId"
        label="Report"
        hint="The document that proves it. Visitors get it through its access level: public, or on request."
        options={[
          { value: '', label: 'Choose the report…' },
          ...reports.map((document) => ({
            value: document.id,
            label: `${document.title} (${document.accessLevel})`,
          })),
        ]}
      />
      <FormError message={form.formError} />
      <div className="actions">
        <SubmitButton form={form}>Add certification</SubmitButton>
      </div>
    </form>
  );
}
