import { z } from 'zod';
import { isoDate, itemKey, prose } from '../../platform/validation/strings.js';
import { subprocessorInput } from '../content/content.contract.js';
import { changeKinds, changeStates } from './change-kinds.js';

export const changeInput = z
  .object({
    kind: z.enum(changeKinds),
    subprocessorKey: itemKey
      .nullable()
      .default(null)
      .describe('The subprocessor that goes (replace, remove).'),
    subprocessor: subprocessorInput
      .nullable()
      .default(null)
      .describe('The subprocessor that comes (add, replace).'),
    summary: prose(2000).default('').describe('Why, in a few words; shown publicly and in the notice.'),
    effectiveOn: isoDate.describe('At least the notice period (30 days by default) from today, UTC.'),
  })
  .superRefine((change, context) => {
    if ((change.kind === 'add') !== (change.subprocessorKey === null)) {
      context.addIssue({
        code: 'custom',
        path: ['subprocessorKey'],
        message: 'required for replace and remove only',
      });
    }
    if ((change.kind === 'remove') !== (change.subprocessor === null)) {
      context.addIssue({
        code: 'custom',
        path: ['subprocessor'],
        message: 'required for add and replace only',
      });
    }
  });
export type ChangeInput = z.infer<typeof changeInput>;

export const changeResponse = z
  .object({
    id: z.uuid(),
    kind: z.enum(changeKinds),
    subprocessorKey: z.string().nullable(),
    subprocessor: subprocessorInput.nullable(),
    summary: z.string(),
    effectiveOn: z.string(),
    announcedAt: z.iso.datetime(),
    state: z.enum(changeStates),
    appliedAt: z.iso.datetime().nullable(),
    updateId: z.uuid().nullable(),
  })
  .meta({ id: 'SubprocessorChange' });
export type ChangeResponse = z.infer<typeof changeResponse>;

export const noticePeriodResponse = z
  .object({
    noticePeriodDays: z.number().int().describe('How far ahead a change must be announced, in days.'),
    earliestEffectiveOn: isoDate.describe(
      'The earliest effective date a change announced today may have (UTC).',
    ),
  })
  .meta({ id: 'SubprocessorNoticePeriod' });
export type NoticePeriodResponse = z.infer<typeof noticePeriodResponse>;
