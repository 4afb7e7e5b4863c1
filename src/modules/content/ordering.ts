import { z } from 'zod';
import { AppError } from '../../platform/errors.js';

export const reorderInput = z.object({ ids: z.array(z.uuid()).min(1).max(1000) });

/**
 * Checks that a requested order names exactly the existing items, each once. Returns the new
 * position of every id.
 */
export function planOrder(existingIds: readonly string[], requested: readonly string[]): Map<string, number> {
  const unique = new Set(requested);
  const existing = new Set(existingIds);
  if (
    unique.size !== requested.length ||
    unique.size !== existing.size ||
    [...unique].some((id) => !existing.has(id))
  ) {
    throw new AppError('request.invalid', [{ path: 'ids', message: 'must list every item exactly once' }]);
  }
  return new Map(requested.map((id, index) => [id, index]));
}
