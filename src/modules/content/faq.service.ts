import type { Database } from '../../platform/db/client.js';
import { faqInput } from './content.contract.js';
import { faqEntries } from './content.schema.js';
import { createItemListService } from './item-list.service.js';

/** Frequently asked questions, in the order the trust center shows them. */
export function createFaqService(deps: { db: Database }) {
  return createItemListService(deps, {
    table: faqEntries,
    input: faqInput,
    toItem: (row) => ({
      id: row.id,
      position: row.position,
      key: row.key,
      question: row.question,
      answer: row.answer,
    }),
  });
}

export type FaqService = ReturnType<typeof createFaqService>;
