import type { SnapshotContent } from '../publishing/snapshot.contract.js';
import { type EvidenceCheckKey, evidenceCheckKey, evidenceCheckKeys } from './evidence.contract.js';

/**
 * The checks a published trust center's controls name, each with the titles of those controls,
 * in the contract's order. Pure: the public layout uses it to decide whether to link the page.
 */
export function evidenceInUse(content: SnapshotContent | null): Map<EvidenceCheckKey, { title: string }[]> {
  const found = new Map<EvidenceCheckKey, { title: string }[]>();
  for (const category of content?.categories ?? []) {
    for (const control of category.controls) {
      // Read defensively: snapshots published before controls carried evidence have no such field.
      const named = (control as { evidence?: unknown }).evidence;
      if (!Array.isArray(named)) continue;
      for (const key of named) {
        const parsed = evidenceCheckKey.safeParse(key);
        if (!parsed.success) continue;
        const titles = found.get(parsed.data) ?? [];
        if (!titles.some((entry) => entry.title === control.title)) titles.push({ title: control.title });
        found.set(parsed.data, titles);
      }
    }
  }
  return new Map(evidenceCheckKeys.filter((key) => found.has(key)).map((key) => [key, found.get(key) ?? []]));
}
