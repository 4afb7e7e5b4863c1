import { z } from 'zod';
import { mailAddress } from '../../platform/mail/mail.contract.js';
import { line, prose } from '../../platform/validation/strings.js';

/** Kept here, not with the table, so the console bundles it without the database layer. */
export const accessRequestStatuses = ['pending', 'approved', 'denied'] as const;

/** An e-mail domain as typed in the rules: "customer.example" (lower-case, no "@"). */
export const emailDomain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a domain such as example.com',
  );

const days = z.number().int().min(1).max(365);

/** A form field that may come once (a string) or several times (an array). */
const manyUuids = z
  .union([z.uuid(), z.array(z.uuid()).max(200)])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));

/** The public access request form (application/x-www-form-urlencoded, no JavaScript). */
export const accessRequestForm = z.object({
  name: line(200),
  email: mailAddress,
  company: line(200),
  reason: prose(2000).default(''),
  documentId: manyUuids,
  ndaVersion: z
    .string()
    .regex(/^\d{1,6}$/)
    .transform(Number)
    .optional(),
  ndaAccepted: z.literal('yes').optional(),
});
export type AccessRequestForm = z.output<typeof accessRequestForm>;

export const accessRequestOutput = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string(),
    company: z.string(),
    reason: z.string(),
    documentIds: z.array(z.uuid()),
    status: z.enum(accessRequestStatuses),
    decisionSource: z.enum(['rule', 'staff']).nullable(),
    decidedBy: z.string().nullable(),
    decidedAt: z.iso.datetime().nullable(),
    client: z.string().nullable(),
    createdAt: z.iso.datetime(),
    nda: z
      .object({ version: z.number().int(), sha256: z.string(), acceptedAt: z.iso.datetime() })
      .nullable()
      .describe('The NDA text accepted with the request, by version and SHA-256.'),
  })
  .meta({ id: 'AccessRequest' });
export type AccessRequestOutput = z.infer<typeof accessRequestOutput>;

export const accessRequestQuery = z.object({
  status: z.enum(accessRequestStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const decisionInput = z.object({
  decision: z.enum(['approve', 'deny']),
  days: days.optional().describe("How long the grant lasts; default: the tenant's rule (30 days)."),
  documentIds: z
    .array(z.uuid())
    .min(1)
    .max(200)
    .optional()
    .describe('Grant fewer documents than were requested; default: all requested.'),
});
export type DecisionInput = z.input<typeof decisionInput>;

export const grantStatuses = ['active', 'expired', 'revoked'] as const;

export const grantOutput = z
  .object({
    id: z.uuid(),
    requestId: z.uuid(),
    email: z.string(),
    company: z.string(),
    documentIds: z.array(z.uuid()),
    status: z.enum(grantStatuses),
    expiresAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
    linkUsedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AccessGrant' });
export type GrantOutput = z.infer<typeof grantOutput>;

export const decisionOutput = z.object({
  request: accessRequestOutput,
  grant: grantOutput.nullable(),
});

export const extendInput = z.object({
  days: days.describe('Added to the later of now and the current end.'),
});

export const ndaInput = z.object({ text: prose(50_000, 1) });

export const ndaOutput = z
  .object({
    current: z
      .object({
        version: z.number().int(),
        text: z.string(),
        sha256: z.string(),
        createdAt: z.iso.datetime(),
      })
      .nullable(),
    versions: z.array(
      z.object({ version: z.number().int(), sha256: z.string(), createdAt: z.iso.datetime() }),
    ),
  })
  .meta({ id: 'Nda' });
export type NdaOutput = z.infer<typeof ndaOutput>;

/** The whole rule set (a PUT): every field is required, so a stray body cannot reset the rules. */
export const accessRulesInput = z.object({
  autoApproveDomains: z.array(emailDomain).max(200),
  autoDenyDomains: z.array(emailDomain).max(200),
  grantDays: days,
});
export type AccessRules = z.output<typeof accessRulesInput>;
export const accessRulesOutput = accessRulesInput.meta({ id: 'AccessRules' });
