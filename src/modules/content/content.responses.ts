import { z } from 'zod';
import {
  categoryInput,
  controlInput,
  faqInput,
  profileInput,
  subprocessorInput,
} from './content.contract.js';
import type { Control } from './controls.service.js';
import type { Profile } from './profile.service.js';

/*
 * What the content API answers, shared with the admin UI like the input contracts. Each schema has
 * an id, so the OpenAPI document names it once under components. Timestamps travel as ISO 8601
 * strings in UTC; the mappers below are the only place a Date becomes one.
 */

const position = z.number().int().min(0);
const timestamp = z.iso.datetime();

export const profileResponse = profileInput
  .extend({ updatedAt: timestamp.nullable() })
  .meta({ id: 'Profile', description: 'The trust center profile; updatedAt is null before the first save.' });

export const categoryResponse = categoryInput
  .extend({ id: z.uuid(), position, controlCount: z.number().int().min(0) })
  .meta({ id: 'Category', description: 'A control category, with the number of controls in it.' });

export const controlResponse = controlInput
  .extend({ id: z.uuid(), categoryId: z.uuid(), position, updatedAt: timestamp })
  .meta({ id: 'Control', description: 'A security control; position counts within its category.' });

export const faqEntryResponse = faqInput
  .extend({ id: z.uuid(), position })
  .meta({ id: 'FaqEntry', description: 'A frequently asked question and its answer.' });

export const subprocessorResponse = subprocessorInput
  .extend({ id: z.uuid(), position })
  .meta({ id: 'Subprocessor', description: 'A third party that processes customer data.' });

export function toProfileResponse(profile: Profile): z.input<typeof profileResponse> {
  return { ...profile, updatedAt: profile.updatedAt?.toISOString() ?? null };
}

export function toControlResponse(control: Control): z.input<typeof controlResponse> {
  return { ...control, updatedAt: control.updatedAt.toISOString() };
}
