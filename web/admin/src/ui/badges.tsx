import type { ControlStatus } from '@attest/modules/content/content.contract.js';

export const statusLabels: Record<ControlStatus, string> = {
  implemented: 'Implemented',
  in_progress: 'In progress',
  planned: 'Planned',
  not_applicable: 'Not applicable',
};

const statusTones: Record<ControlStatus, string> = {
  implemented: 'badge-success',
  in_progress: 'badge-warning',
  planned: 'badge-neutral',
  not_applicable: 'badge-neutral',
};

export function StatusBadge({ status }: { status: ControlStatus }) {
  return <span className={`badge ${statusTones[status]}`}>{statusLabels[status]}</span>;
}

export function Badge({
  tone,
  children,
}: {
  tone: 'success' | 'warning' | 'danger' | 'neutral';
  children: string;
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  return Number.isNaN(date.getTime())
    ? value
    : date.toLocaleDateString('en-GB', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? value
    : date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
