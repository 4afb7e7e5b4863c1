import { z } from 'zod';

/**
 * Live evidence: machine checks of the running installation that back a trust center's claims.
 * A control names the checks that back it (`evidence: [key, …]`); the worker runs them for every
 * tenant that uses any, stores the latest result per tenant and check, and the public trust center
 * shows them at /t/:slug/evidence (HTML, .json, .md) with when they last ran.
 *
 * This file is the contract between the checks (src/modules/evidence/checks/), the API, the public
 * pages and the console. Summaries and facts are public: never a secret, token, address or name.
 */
export const evidenceCheckKeys = [
  'tenant-isolation',
  'encryption-at-rest',
  'security-headers',
  'short-lived-tokens',
  'session-limits',
  'audit-log-integrity',
  'retention',
  'subprocessor-notice',
  'incident-notification',
  'data-portability',
  'data-deletion',
  'container-runtime',
  'backup-freshness',
  'restore-drill',
] as const;
export type EvidenceCheckKey = (typeof evidenceCheckKeys)[number];
export const evidenceCheckKey = z.enum(evidenceCheckKeys);

/** What each check is and what exactly it looks at, in words a security reviewer can verify. */
export const evidenceChecks: Record<EvidenceCheckKey, { title: string; checks: string }> = {
  'tenant-isolation': {
    title: 'Tenant isolation in the database',
    checks:
      'Every table that holds tenant data has row-level security enabled and forced, with the tenant policy for the application role; the application roles are neither superusers nor allowed to bypass row-level security.',
  },
  'encryption-at-rest': {
    title: 'Documents encrypted at rest',
    checks:
      "The trust center's stored document files are read back from storage: each must be ciphertext in the vault's authenticated format (AES-256-GCM), and the trust center's data key must be stored only sealed by the master key.",
  },
  'security-headers': {
    title: 'Security headers on every page',
    checks:
      'The headers every response carries: HSTS for at least a year, a Content-Security-Policy without unsafe-inline that forbids framing, nosniff, a Referrer-Policy and a Permissions-Policy.',
  },
  'short-lived-tokens': {
    title: 'Short-lived, asymmetrically signed tokens',
    checks:
      'API tokens live at most 5 minutes and are signed with Ed25519 keys held only by the server; the age of the current signing key.',
  },
  'session-limits': {
    title: 'Session limits',
    checks:
      "The trust center's idle timeout and absolute session lifetime, that no open session keeps longer limits it was started under, whether a second factor is required, and that the session cookie is HttpOnly, Secure and SameSite.",
  },
  'audit-log-integrity': {
    title: 'Audit log integrity',
    checks:
      "The trust center's audit log hash chain is recomputed from the first event to the last and must be unbroken.",
  },
  retention: {
    title: 'Retention periods kept',
    checks:
      'Nothing outlives its retention period: no finished mail keeps its recipient after 30 days, no ended session stays after 7 days, no unconfirmed subscription stays after 7 days.',
  },
  'subprocessor-notice': {
    title: 'Advance notice of subprocessor changes',
    checks:
      'Every announced subprocessor change took effect no earlier than the notice period after it was announced.',
  },
  'incident-notification': {
    title: 'Customers notified of incidents within 24 hours',
    checks:
      'Every incident detected or recorded in the last twelve months whose 24 hours have passed, or that customers have been told of, was notified within 24 hours of detection. The notification time is recorded by the system when the incident notice has gone out to subscribers, never entered by hand. An incident still inside its 24 hours and not yet notified is not counted here: customers hear of it from its notice.',
  },
  'data-portability': {
    title: 'Complete export',
    checks:
      "The trust center's whole content is exported in the documented format and read back by the importer without loss.",
  },
  'data-deletion': {
    title: 'Closed trust centers deleted on time',
    checks:
      'No closed trust center of this installation is still stored more than an hour after its deletion date: the worker deleted each one with its data and files, and none had its deletion refused by the database.',
  },
  'container-runtime': {
    title: 'Locked-down container',
    checks:
      'Read by the running server about itself: it runs as a user other than root, holds no effective Linux capabilities, cannot gain privileges (no_new_privs), is confined by a seccomp filter, and cannot write to its root filesystem (a write is attempted). Outside a container the check reports that it does not apply.',
  },
  'backup-freshness': {
    title: 'Automatic encrypted backups',
    checks:
      "The installation's backup schedule is on, and the newest encrypted backup archive of the database and every document file in its backup store is no older than the schedule allows.",
  },
  'restore-drill': {
    title: 'Restore drill of the latest backup',
    checks:
      "The worker restores every new backup into a scratch database with the same procedure an operator uses, checks each table's row count against the backup's manifest, decrypts a sample of documents and verifies every trust center's audit chain, then drops the scratch copy. Passes only if the latest drill of the newest backup succeeded, that backup still authenticates whole, and it is no older than the schedule allows. The facts give the measured restore time.",
  },
};

/** `not_applicable`: what the check looks at does not exist in this installation (no container). */
export const evidenceStatuses = ['pass', 'fail', 'error', 'not_applicable'] as const;
export type EvidenceStatus = (typeof evidenceStatuses)[number];

/**
 * Whether a result means the evidence does not hold: a failure, or a check that could not run (the
 * claim is then unverified). A check that does not apply here is not failing.
 */
export function isFailingStatus(status: EvidenceStatus): boolean {
  return status === 'fail' || status === 'error';
}

/** Since when each failing check has been failing (ISO times); a check not listed is not failing. */
export type FailingChecks = Partial<Record<EvidenceCheckKey, string>>;

/** One check's latest result for one trust center. */
export const evidenceResult = z.object({
  check: evidenceCheckKey,
  title: z.string(),
  /** What the check looks at (evidenceChecks[check].checks). */
  checks: z.string(),
  status: z.enum(evidenceStatuses),
  /** One public sentence of what was found, e.g. "31 of 31 tenant tables have forced row-level security." */
  summary: z.string().max(300),
  /** The numbers behind the summary, e.g. { tables: 31, forced: 31 }. Public. */
  facts: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  checkedAt: z.iso.datetime(),
  durationMs: z.number().int().min(0),
  /**
   * Since when the check has been failing (its first failing result after a pass), null while it
   * passes or does not apply. Recorded by the checks' runs only; no request can set it.
   */
  failingSince: z.iso.datetime().nullable(),
});
export type EvidenceResult = z.infer<typeof evidenceResult>;

/** GET /api/v1/evidence and /t/:slug/evidence.json: the latest result of every check in use. */
export const evidenceList = z.object({
  items: z.array(evidenceResult),
  /** When the worker last ran the checks for this trust center (null: never yet). */
  lastRunAt: z.iso.datetime().nullable(),
});
export type EvidenceList = z.infer<typeof evidenceList>;

/** A control's evidence: the checks that back it (at most every check, each once). */
export const controlEvidence = z
  .array(evidenceCheckKey)
  .max(evidenceCheckKeys.length)
  .refine((keys) => new Set(keys).size === keys.length, 'each check at most once')
  .default([]);

/**
 * /t/:slug/evidence.json: like `evidenceList`, and each result names the published controls it
 * backs (their titles only). Public pages only; the API answers `evidenceList`.
 */
export const publicEvidenceResult = evidenceResult.extend({
  controls: z.array(z.object({ title: z.string() })),
});
export type PublicEvidenceResult = z.infer<typeof publicEvidenceResult>;

export const publicEvidenceList = z.object({
  items: z.array(publicEvidenceResult),
  lastRunAt: z.iso.datetime().nullable(),
});
export type PublicEvidenceList = z.infer<typeof publicEvidenceList>;
