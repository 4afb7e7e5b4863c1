import { z } from 'zod';
import { isoDate, line, patchOf, prose } from '../../platform/validation/strings.js';

/*
 * Certifications, shared by the service, the API and the admin console. A certification exists
 * only with the report that proves it: `documentId` names a document of the same trust center, and
 * its file's SHA-256 is recorded when it is bound.
 */

const certificationFields = z.object({
  name: line(120).describe('e.g. "SOC 2 Type II" or "ISO/IEC 27001:2022".'),
  auditor: line(200).describe('Who audited and issued it.'),
  scope: prose(2000).default(''),
  validFrom: isoDate.describe('The first day of the audit period or certificate.'),
  validUntil: isoDate.describe('The last day it is valid; the public badge shows it expired after.'),
  documentId: z.uuid().describe('The report or certificate in the documents module.'),
});

function validPeriod(value: { validFrom?: string | undefined; validUntil?: string | undefined }) {
  return !value.validFrom || !value.validUntil || value.validFrom <= value.validUntil;
}

const periodMessage = { message: 'validUntil must not be before validFrom', path: ['validUntil'] };

export const certificationInput = certificationFields.refine(validPeriod, periodMessage);
export type CertificationInput = z.input<typeof certificationInput>;

export const certificationPatch = patchOf(certificationFields).refine(validPeriod, periodMessage);
export type CertificationPatch = z.input<typeof certificationPatch>;

export const certificationResponse = certificationFields
  .extend({
    id: z.uuid(),
    scope: z.string(),
    documentTitle: z.string(),
    documentSha256: z.string(),
    /** Whether the bound file is still the document's newest (a new version was uploaded since: false). */
    documentCurrent: z.boolean(),
    reminderSentOn: isoDate.nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Certification', description: 'A certification, bound to the document that proves it.' });
export type CertificationOutput = z.input<typeof certificationResponse>;

/** Days before the end date when staff are reminded (once per end date). */
export const REMINDER_DAYS_BEFORE = 30;

/** 'valid' up to and including validUntil, 'expired' after; 'upcoming' before validFrom. */
export function certificationState(
  certification: { validFrom: string; validUntil: string },
  today: string,
): 'upcoming' | 'valid' | 'expired' {
  if (today > certification.validUntil) return 'expired';
  if (today < certification.validFrom) return 'upcoming';
  return 'valid';
}
