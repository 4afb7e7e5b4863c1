import type { DraftChanges } from '../../api/types.js';
import { Badge } from '../../ui/badges.js';

const sectionLabels: Record<DraftChanges['changes'][number]['section'], string> = {
  profile: 'Profile',
  category: 'Category',
  control: 'Control',
  faq: 'FAQ',
  subprocessor: 'Subprocessor',
};

const kindTones = { added: 'success', removed: 'danger', changed: 'warning' } as const;

/** What the draft changes against the published version, one line per item. */
export function ChangeList({ changes }: { changes: DraftChanges['changes'] }) {
  return (
    <ul className="change-list" aria-label="Unpublished changes">
      {changes.map((change) => (
        <li key={`${change.section}:${change.key}`}>
          <Badge tone={kindTones[change.kind]}>{change.kind}</Badge>
          <span className="muted">{sectionLabels[change.section]}</span>
          <span>{change.title}</span>
        </li>
      ))}
    </ul>
  );
}
