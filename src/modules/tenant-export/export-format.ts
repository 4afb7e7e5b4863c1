import { z } from 'zod';

/**
 * The tenant archive (decision 0026): one ZIP holding `manifest.json` (written last, so a file
 * without it is an export that never finished), one JSON-lines file per entity, a CSV twin of the
 * tabular ones, and the documents decrypted, every version, under `documents/`.
 */
export const FORMAT = 'attest-tenant-export';
export const FORMAT_VERSION = 1;
export const MANIFEST = 'manifest.json';

export type KeyType = 'uuid' | 'bigint' | 'text';

/** How an entity is read (keyset pages by `key`), which columns never leave, and what import does. */
export interface EntitySpec {
  /** The table, as in the catalog. */
  table: string;
  /** The archive file without extension, `data/<name>.jsonl` (and `.csv`). */
  name: string;
  /** The column pages are ordered and continued by (unique within the tenant). */
  key: string;
  keyType: KeyType;
  /** Secrets and key material: never written to the archive. */
  omit?: readonly string[];
  /** Also written as CSV, for people who open it in a spreadsheet. */
  csv?: boolean;
  /**
   * What `attest tenant import` does with the rows: insert them under new ids (`restore`), or keep
   * them only in the archive (`archive`: history of the old tenant, or state that cannot move).
   */
  import: 'restore' | 'archive';
  /**
   * No other row points at these ids, and there may be many: import gives them new ids without
   * remembering the old ones (every other restored id is mapped, old to new, wherever it appears).
   */
  leaf?: boolean;
  /** The select list instead of `to_jsonb(t)`, for entities enriched by a join (members). */
  select?: string;
  from?: string;
}

/**
 * Every tenant table, in the order import restores them (parents before children). The test
 * `tenant-export.catalog.test.ts` walks the catalog and fails on a table that is neither here nor
 * in `excludedTables`.
 */
export const entities: readonly EntitySpec[] = [
  { table: 'trust_profiles', name: 'content/profile', key: 'tenant_id', keyType: 'uuid', import: 'restore' },
  {
    table: 'control_categories',
    name: 'content/control_categories',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    import: 'restore',
  },
  {
    table: 'controls',
    name: 'content/controls',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    import: 'restore',
  },
  { table: 'faq_entries', name: 'content/faq', key: 'id', keyType: 'uuid', csv: true, import: 'restore' },
  {
    table: 'subprocessors',
    name: 'content/subprocessors',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    import: 'restore',
  },
  {
    table: 'documents',
    name: 'documents/documents',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    import: 'restore',
  },
  {
    table: 'document_versions',
    name: 'documents/versions',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    import: 'restore',
  },
  {
    table: 'incidents',
    name: 'updates/incidents',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    import: 'restore',
  },
  {
    table: 'update_posts',
    name: 'updates/posts',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    import: 'restore',
  },
  { table: 'snapshots', name: 'publishing/snapshots', key: 'id', keyType: 'uuid', import: 'restore' },
  {
    table: 'subprocessor_changes',
    name: 'updates/subprocessor_changes',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    import: 'restore',
  },
  {
    table: 'subscribers',
    leaf: true,
    name: 'subscribers/subscribers',
    key: 'id',
    keyType: 'uuid',
    omit: ['confirm_token_hash'],
    csv: true,
    import: 'restore',
  },
  {
    table: 'notification_settings',
    name: 'settings/notifications',
    key: 'tenant_id',
    keyType: 'uuid',
    omit: ['list_key_sealed'],
    import: 'restore',
  },
  {
    table: 'nda_texts',
    name: 'access/nda_texts',
    key: 'id',
    keyType: 'uuid',
    import: 'restore',
  },
  { table: 'access_rules', name: 'access/rules', key: 'tenant_id', keyType: 'uuid', import: 'restore' },
  {
    table: 'access_requests',
    name: 'access/requests',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    import: 'restore',
  },
  {
    table: 'nda_acceptances',
    leaf: true,
    name: 'access/nda_acceptances',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    import: 'restore',
  },
  {
    table: 'access_grants',
    name: 'access/grants',
    key: 'id',
    keyType: 'uuid',
    omit: ['link_token_hash'],
    csv: true,
    import: 'restore',
  },
  {
    table: 'document_downloads',
    leaf: true,
    name: 'documents/downloads',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    import: 'restore',
  },
  {
    table: 'roles',
    name: 'people/roles',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    import: 'restore',
  },
  {
    table: 'memberships',
    name: 'people/members',
    key: 'user_id',
    keyType: 'uuid',
    csv: true,
    // People are platform accounts with their own passwords and second factors: the archive lists
    // them (address, role), the new trust center invites them again.
    import: 'archive',
    select:
      "to_jsonb(t) || jsonb_build_object('email', u.email, 'mfa_enabled', u.totp_enabled_at is not null, 'disabled_at', u.disabled_at)",
    from: 'memberships t join users u on u.id = t.user_id',
  },
  {
    table: 'invitations',
    name: 'people/invitations',
    key: 'id',
    keyType: 'uuid',
    omit: ['token_hash'],
    csv: true,
    import: 'archive',
  },
  {
    table: 'api_keys',
    name: 'people/api_keys',
    key: 'id',
    keyType: 'uuid',
    omit: ['secret_hash'],
    csv: true,
    import: 'archive',
  },
  {
    table: 'tenant_settings',
    name: 'settings/sessions',
    key: 'tenant_id',
    keyType: 'uuid',
    import: 'restore',
  },
  { table: 'notices', name: 'updates/notices', key: 'id', keyType: 'uuid', csv: true, import: 'archive' },
  {
    table: 'evidence_results',
    name: 'evidence/results',
    key: 'check_key',
    keyType: 'text',
    csv: true,
    // Live evidence describes the platform at the time of the check: the new tenant's worker checks again.
    import: 'archive',
  },
  {
    table: 'knowledge_base_entries',
    name: 'content/knowledge_base',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    // The answers and references stay readable here; the trust-center file carries them into
    // another tenant (`attest content export`/`import`) until this archive's import restores them.
    import: 'archive',
  },
  {
    table: 'certifications',
    name: 'documents/certifications',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    import: 'archive',
  },
  {
    table: 'host_checks',
    name: 'evidence/host_checks',
    key: 'id',
    keyType: 'uuid',
    csv: true,
    // A new tenant adds its checks again: what a check may reach is the operator's decision there.
    import: 'archive',
  },
  {
    table: 'trust_manifests',
    name: 'publishing/trust_manifests',
    key: 'number',
    keyType: 'bigint',
    // Signed by the old tenant's key and chained to its snapshots: kept, verifiable, in the archive.
    import: 'archive',
  },
  {
    table: 'audit_events',
    name: 'audit/events',
    key: 'seq',
    keyType: 'bigint',
    csv: true,
    // The hash chain binds every event to the old tenant's id: it is kept, verifiable, in the
    // archive; the new tenant's log starts with an event naming the archive it was imported from.
    import: 'archive',
  },
];

/** Tenant tables that are not exported, and why. */
export const excludedTables: Readonly<Record<string, string>> = {
  sessions: 'signed-in browser sessions: secrets of the moment, useless elsewhere',
  visitor_sessions: 'visitors’ browser sessions opened by grant links: secrets of the moment',
  mail_outbox: 'mail in delivery: holds single-use links (confirmations, access links) and expires',
  tenant_keys: 'the sealed data key: the archive carries the documents decrypted instead',
  tenant_exports: 'the export jobs themselves (download link hashes), not trust-center data',
  trust_signing_keys: 'the sealed private keys that sign trust manifests: key material stays with its tenant',
  content_revisions: "a counter the API's list cache compares, derived from the content itself",
  host_check_samples: 'minute-by-minute uptime probes: measurements of the moment, rebuilt by the checks',
};

export const manifestFile = z.object({
  path: z.string().min(1).max(400),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
  /** JSON-lines and CSV files: rows (lines; a CSV's header is not counted). */
  rows: z.number().int().min(0).optional(),
  /** Documents: the version row the file belongs to. */
  documentVersionId: z.uuid().optional(),
});
export type ManifestFile = z.infer<typeof manifestFile>;

export const manifest = z.object({
  format: z.literal(FORMAT),
  formatVersion: z.number().int(),
  createdAt: z.string().max(40),
  schemaVersion: z.number().int().min(0),
  tenant: z.object({
    id: z.uuid(),
    slug: z.string().max(100),
    name: z.string().max(200),
    customDomain: z.string().max(300).nullable(),
  }),
  excluded: z.record(z.string(), z.string()),
  files: z.array(manifestFile).max(1_000_000),
});
export type Manifest = z.infer<typeof manifest>;

/** Where a document version's plaintext goes: its id keeps the name unique, the filename stays readable. */
export function documentPath(
  documentId: string,
  version: number,
  versionId: string,
  filename: string,
): string {
  const safe =
    filename
      .replace(/[^\p{L}\p{N}._ -]/gu, '_')
      .replace(/^\.+/, '_')
      .slice(0, 150) || 'file';
  return `documents/files/${documentId}/v${version}-${versionId.slice(0, 8)}/${safe}`;
}

/**
 * One CSV cell, safe to open in a spreadsheet: a value a spreadsheet would run as a formula
 * (starting with = + - @, a tab or a carriage return) gets a leading quote, and every cell is
 * quoted with its quotes doubled.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
