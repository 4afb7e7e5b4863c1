import {
  type CreateHostCheckInput,
  type HostCheckKind,
  type HostCheckView,
  hostCheckDescriptions,
  hostCheckKinds,
} from '@attest/modules/host-checks/host-checks.contract.js';
import { line } from '@attest/platform/validation/strings.js';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '../../api/client.js';
import { useCan } from '../../auth/session.js';
import { Badge, formatDateTime } from '../../ui/badges.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormError, NumberField, SelectField, SubmitButton, TextField } from '../../ui/fields.js';
import { ListState } from '../../ui/list-state.js';
import { ErrorNotice } from '../../ui/notice.js';
import { PageHeader } from '../../ui/page-header.js';
import { useForm } from '../../ui/use-form.js';

const CHECKS_KEY = ['host-checks'] as const;

const kindLabels: Record<HostCheckKind, string> = {
  'tls-endpoint': 'TLS endpoint',
  'http-headers': 'HTTP security headers',
  'ssh-auth': 'SSH authentication',
  dns: 'DNS (SPF, DMARC, CAA, DNSSEC)',
  'http-uptime': 'HTTP uptime',
};
const targetHints: Record<HostCheckKind, string> = {
  'tls-endpoint': 'A host name, e.g. www.example.com.',
  'http-headers': 'A URL, e.g. https://www.example.com/.',
  'ssh-auth': 'A host name, e.g. bastion.example.com.',
  dns: 'A domain, e.g. example.com.',
  'http-uptime': 'A URL, e.g. https://app.example.com/health.',
};
const statusTones = { pass: 'success', fail: 'danger', error: 'warning' } as const;
const statusWords = { pass: 'Passing', fail: 'Failing', error: 'Could not run' } as const;

/** The form's flat shape; the server's schema (one shape per kind) checks what is sent. */
const formSchema = z.object({
  kind: z.enum(hostCheckKinds),
  name: line(80),
  target: z.string().trim().min(1).max(2000),
  port: z.number().int().min(1).max(65535).optional(),
  allowTls12: z.enum(['no', 'yes']),
  /** Control keys, comma-separated. */
  controls: z.string().trim().max(2000),
});
type FormValues = z.output<typeof formSchema>;

function bodyOf(values: FormValues): CreateHostCheckInput {
  const controls = values.controls
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  const common = { name: values.name, target: values.target, controls };
  switch (values.kind) {
    case 'tls-endpoint':
      return {
        kind: 'tls-endpoint',
        ...common,
        options: { port: values.port ?? 443, allowTls12: values.allowTls12 === 'yes' },
      };
    case 'ssh-auth':
      return { kind: 'ssh-auth', ...common, options: { port: values.port ?? 22 } };
    default:
      return { kind: values.kind, ...common };
  }
}

function availabilityText(check: HostCheckView): string {
  const availability = check.availability;
  if (!availability) return '';
  const value = availability.last30Days === null ? 'no probes yet' : `${availability.last30Days.toFixed(2)}%`;
  return `30 days: ${value} (target ${availability.targetPercent}%)`;
}

export function HostChecksPage() {
  const can = useCan();
  const queryClient = useQueryClient();
  const checks = useQuery({
    queryKey: CHECKS_KEY,
    queryFn: () => api.get<{ items: HostCheckView[] }>('/host-checks'),
    refetchInterval: 30_000,
  });
  const remove = useMutation({
    mutationFn: (check: HostCheckView) => api.delete(`/host-checks/${check.id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: CHECKS_KEY }),
  });
  const manage = can('settings:manage');

  return (
    <>
      <PageHeader
        title="Host checks"
        description="Checks of your own hosts, run by Attest on their schedule. Uptime checks appear on your public status page by name."
      />
      <div className="stack-lg">
        <ErrorNotice error={remove.error} />
        <section className="stack" aria-labelledby="checks-heading">
          <h2 id="checks-heading">Checks</h2>
          {checks.isPending && <ListState state="loading" label="Loading host checks…" />}
          {checks.isError && (
            <ListState state="error" error={checks.error} onRetry={() => checks.refetch()} />
          )}
          {checks.data && checks.data.items.length === 0 && (
            <ListState state="empty">There are no host checks yet.</ListState>
          )}
          {checks.data && checks.data.items.length > 0 && (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Target</th>
                    <th scope="col">Backs</th>
                    <th scope="col">Result</th>
                    <th scope="col">Checked</th>
                    {manage && (
                      <th scope="col" className="cell-actions">
                        Actions
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {checks.data.items.map((check) => (
                    <tr key={check.id}>
                      <td>{check.name}</td>
                      <td>
                        <span title={check.checks}>{kindLabels[check.kind]}</span>
                      </td>
                      <td className="mono">{check.target}</td>
                      <td>{check.controls.join(', ')}</td>
                      <td>
                        {check.latest ? (
                          <>
                            <Badge tone={statusTones[check.latest.status]}>
                              {statusWords[check.latest.status]}
                            </Badge>{' '}
                            {check.latest.summary}
                          </>
                        ) : (
                          'Not run yet'
                        )}
                        {check.availability && <div>{availabilityText(check)}</div>}
                      </td>
                      <td>{formatDateTime(check.latest?.checkedAt ?? null)}</td>
                      {manage && (
                        <td className="cell-actions">
                          <ConfirmButton
                            label="Remove"
                            question={`Remove the check “${check.name}” and its history?`}
                            onConfirm={() => remove.mutate(check)}
                            pending={remove.isPending}
                          />
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        {manage && <AddCheckForm />}
      </div>
    </>
  );
}

function AddCheckForm() {
  const queryClient = useQueryClient();
  const initial = {
    kind: 'tls-endpoint' as HostCheckKind,
    name: '',
    target: '',
    port: undefined,
    allowTls12: 'no' as const,
    controls: '',
  };
  const form = useForm(formSchema, initial, async (values) => {
    await api.post<HostCheckView>('/host-checks', bodyOf(values));
    form.reset(initial);
    await queryClient.invalidateQueries({ queryKey: CHECKS_KEY });
  });
  const kind = form.values.kind;
  return (
    <form
      ref={form.formRef}
      className="form card"
      onSubmit={form.handleSubmit}
      noValidate
      aria-labelledby="new-check-heading"
    >
      <h2 id="new-check-heading">Add a check</h2>
      <SelectField
        form={form}
        name="kind"
        label="Kind"
        options={hostCheckKinds.map((value) => ({ value, label: kindLabels[value] }))}
        hint={hostCheckDescriptions[kind]}
        idPrefix="check"
      />
      <TextField
        form={form}
        name="name"
        label="Name"
        hint="Shown on the status page for uptime checks."
        required
        idPrefix="check"
      />
      <TextField
        form={form}
        name="target"
        label="Target"
        hint={targetHints[kind]}
        required
        idPrefix="check"
      />
      {(kind === 'tls-endpoint' || kind === 'ssh-auth') && (
        <NumberField
          form={form}
          name="port"
          label="Port"
          hint={kind === 'tls-endpoint' ? 'Empty for 443.' : 'Empty for 22.'}
          min={1}
          max={65535}
          idPrefix="check"
        />
      )}
      {kind === 'tls-endpoint' && (
        <SelectField
          form={form}
          name="allowTls12"
          label="TLS 1.2"
          options={[
            { value: 'no', label: 'Fail if offered (TLS 1.3 only)' },
            { value: 'yes', label: 'Allowed beside TLS 1.3' },
          ]}
          idPrefix="check"
        />
      )}
      <TextField
        form={form}
        name="controls"
        label="Controls it backs"
        hint="Control keys, separated by commas, e.g. encryption-in-transit."
        idPrefix="check"
      />
      <FormError message={form.formError} />
      <div className="actions">
        <SubmitButton form={form} busyLabel="Adding…">
          Add check
        </SubmitButton>
      </div>
    </form>
  );
}
