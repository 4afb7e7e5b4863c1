import type { Database } from '../../platform/db/client.js';
import { subprocessorInput } from './content.contract.js';
import { subprocessors } from './content.schema.js';
import { createItemListService } from './item-list.service.js';

/** The third parties that process customer data on the tenant's behalf (GDPR Art. 28). */
export function createSubprocessorsService(deps: { db: Database }) {
  return createItemListService(deps, {
    table: subprocessors,
    input: subprocessorInput,
    toItem: (row) => ({
      id: row.id,
      position: row.position,
      key: row.key,
      name: row.name,
      legalEntity: row.legalEntity,
      purpose: row.purpose,
      dataProcessed: row.dataProcessed,
      location: row.location,
      transferSafeguards: row.transferSafeguards,
      website: row.website,
    }),
  });
}

export type SubprocessorsService = ReturnType<typeof createSubprocessorsService>;
