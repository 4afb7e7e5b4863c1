import type { AuditEvent } from './audit.contract.js';

export const auditExportFormats = ['jsonl', 'csv'] as const;
export type AuditExportFormat = (typeof auditExportFormats)[number];

export const auditExportContentTypes: Record<AuditExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

const csvColumns = [
  'seq',
  'occurred_at',
  'actor_kind',
  'actor_id',
  'action',
  'target_type',
  'target_id',
  'client',
  'details',
  'hash',
] as const;

/*
 * A spreadsheet runs a cell that starts with one of these as a formula (CSV injection), also after
 * a leading tab or carriage return; the full-width forms are read as the same by some versions.
 * Such cells get a leading single quote, which makes them text (OWASP's advice).
 */
const formulaStart = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** One CSV cell: neutralised, then always quoted with inner quotes doubled (RFC 4180). */
export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (formulaStart.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

function csvRow(event: AuditEvent): string {
  return [
    event.seq,
    event.occurredAt,
    event.actor.kind,
    event.actor.id,
    event.action,
    event.target?.type ?? null,
    event.target?.id ?? null,
    event.client,
    JSON.stringify(event.details),
    event.hash,
  ]
    .map(csvCell)
    .join(',');
}

/**
 * JSON escapes line breaks inside strings, but leaves U+2028/U+2029, which some JSON-lines readers
 * split on; escaping them keeps one event per line.
 */
function jsonLine(event: AuditEvent): string {
  return JSON.stringify(event)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The export as text chunks, one line each (CSV starts with a header), so a route can stream
 * `Readable.from(formatAuditExport(service.exportAll(ctx), 'csv'))` without holding the log.
 * Lines end with CRLF in CSV (RFC 4180) and LF in JSON lines.
 */
export async function* formatAuditExport(
  events: AsyncIterable<AuditEvent> | Iterable<AuditEvent>,
  format: AuditExportFormat,
): AsyncGenerator<string> {
  if (format === 'jsonl') {
    for await (const event of events) yield `${jsonLine(event)}\n`;
  } else if (format === 'csv') {
    yield `${csvColumns.map(csvCell).join(',')}\r\n`;
    for await (const event of events) yield `${csvRow(event)}\r\n`;
  } else {
    throw new Error(`unknown audit export format: ${String(format)}`);
  }
}
