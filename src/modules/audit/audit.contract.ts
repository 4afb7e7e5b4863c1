import { z } from 'zod';
import { line } from '../../platform/validation/strings.js';

/*
 * The audit log's shapes, shared by the service, the API and (later) the admin UI. Bounds mirror the
 * database checks on audit_events.
 */

/**
 * Every action the audit log records. Names stay once used: events already written keep them, so
 * an action that is no longer emitted stays in this list (a reader filters by it).
 */
export const auditActions = [
  'auth.login_succeeded',
  'auth.login_failed',
  'auth.logout',
  'auth.mfa_enabled',
  'auth.mfa_disabled',
  'auth.recovery_code_used',
  'auth.switched_out',
  'auth.switched_in',
  'auth.switch_refused',
  'session.revoked',
  'session.revoked_all',
  'api_key.created',
  'api_key.rotated',
  'api_key.revoked',
  'api_key.used_expired',
  'member.invited',
  'member.joined',
  'member.role_changed',
  'member.removed',
  'role.created',
  'role.updated',
  'role.deleted',
  'user.disabled',
  'settings.updated',
  'content.updated',
  'content.imported',
  'content.published',
  'signing_key.rotated',
  'document.created',
  'document.updated',
  'document.deleted',
  'document.version_added',
  'certification.created',
  'certification.updated',
  'certification.deleted',
  'nda.updated',
  'access_rules.updated',
  'access_request.submitted',
  'access_request.approved',
  'access_request.denied',
  'grant.opened',
  'grant.link_sent',
  'grant.extended',
  'grant.revoked',
  'update.published',
  'update.deleted',
  'incident.recorded',
  'incident.updated',
  'incident.customers_notified',
  'subprocessor_change.announced',
  'subprocessor_change.cancelled',
  'subprocessor_change.applied',
  'notice.retried',
  'mail.resent',
  'notification_settings.updated',
  'subscriber.confirmed',
  'subscriber.unsubscribed',
  'host_check.created',
  'host_check.deleted',
  'tenant.exported',
  'tenant.export_requested',
  'tenant.export_downloaded',
  'tenant.imported',
  'knowledge_base.created',
  'knowledge_base.updated',
  'knowledge_base.deleted',
] as const;
export const auditAction = z.enum(auditActions);
export type AuditAction = z.infer<typeof auditAction>;

export const actorKinds = ['user', 'api_key', 'system', 'visitor'] as const;

/** Largest seq a cursor may name: beyond this a JavaScript number is no longer exact. */
const maxSeq = Number.MAX_SAFE_INTEGER;

/**
 * A positive integer from JSON or from a query string ("42"). Stricter than z.coerce, which would
 * turn `true` into 1 and `null` into 0.
 */
const positiveInt = (max: number) =>
  z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .max(16)
        .regex(/^\d{1,16}$/, 'must be a positive integer')
        .transform(Number),
    ])
    .pipe(z.number().int().min(1).max(max));

const isoDateTime = z.iso.datetime({ offset: true });

const filterFields = {
  action: auditAction.optional(),
  actorId: line(100).optional(),
  targetType: line(40).optional(),
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
};

function fromNotAfterTo(filter: { from?: string | undefined; to?: string | undefined }): boolean {
  return !filter.from || !filter.to || Date.parse(filter.from) <= Date.parse(filter.to);
}
const fromNotAfterToIssue = { message: '`from` must not be after `to`', path: ['to'] };

/** Filters shared by listing and exporting. `from` is inclusive, `to` exclusive. */
export const auditFilter = z.object(filterFields).refine(fromNotAfterTo, fromNotAfterToIssue);
export type AuditFilter = z.infer<typeof auditFilter>;

/** One page of the log, newest first; `before` is the seq cursor from the previous page. */
export const auditQuery = z
  .object({
    ...filterFields,
    limit: positiveInt(200).default(50),
    before: positiveInt(maxSeq).optional(),
  })
  .refine(fromNotAfterTo, fromNotAfterToIssue);
export type AuditQuery = z.infer<typeof auditQuery>;
export type AuditQueryInput = z.input<typeof auditQuery>;

export const auditEvent = z.object({
  seq: z.number().int().min(1),
  occurredAt: z.string(),
  actor: z.object({ kind: z.enum(actorKinds), id: z.string() }),
  // A string rather than the enum: the log is read long after it was written.
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }).nullable(),
  client: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof auditEvent>;

export const auditPage = z.object({
  events: z.array(auditEvent),
  /** Pass as `before` to get the next (older) page; null when this was the last one. */
  nextBefore: z.number().int().nullable(),
});
export type AuditPage = z.infer<typeof auditPage>;

export const auditVerification = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), events: z.number().int() }),
  z.object({
    ok: z.literal(false),
    events: z.number().int(),
    brokenAt: z.number().int(),
    reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'sequence_gap']),
  }),
]);
export type AuditVerification = z.infer<typeof auditVerification>;
