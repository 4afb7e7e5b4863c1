import type { SubprocessorInput } from '../content/content.contract.js';

export interface ListChange {
  kind: 'add' | 'replace' | 'remove';
  subprocessorKey: string | null;
  subprocessor: SubprocessorInput | null;
}

/**
 * A subprocessor list after a change: the same rule for the draft and the published list. A
 * replacement takes the place of the one it replaces; an addition goes to the end. Lenient about
 * edits made since the announcement: removing what is gone is a no-op, adding what exists updates it.
 */
export function applyToList(list: readonly SubprocessorInput[], change: ListChange): SubprocessorInput[] {
  const incoming = change.subprocessor;
  const goingAt = change.subprocessorKey ? list.findIndex((item) => item.key === change.subprocessorKey) : -1;
  const result = list.filter(
    (item) => item.key !== change.subprocessorKey && (!incoming || item.key !== incoming.key),
  );
  if (!incoming) return result;
  const at = goingAt >= 0 ? Math.min(goingAt, result.length) : result.length;
  result.splice(at, 0, { ...incoming });
  return result;
}
