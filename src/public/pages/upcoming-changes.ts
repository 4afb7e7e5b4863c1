import type {
  PublishedSubprocessorChange,
  SnapshotContent,
} from '../../modules/publishing/snapshot.contract.js';
import { securityContact } from './presentation.js';

/*
 * Announced subprocessor changes as the HTML, JSON and Markdown views describe them, so the
 * three say the same: what changes, from which date, and whom to contact to object.
 */

export function upcomingChanges(content: SnapshotContent): PublishedSubprocessorChange[] {
  return content.subprocessorChanges ?? [];
}

/** The name of the subprocessor a change removes or replaces, as the published list calls it. */
function goingName(content: SnapshotContent, change: PublishedSubprocessorChange): string {
  return (
    content.subprocessors.find((item) => item.key === change.subprocessorKey)?.name ??
    change.subprocessorKey ??
    ''
  );
}

export function changeSentence(content: SnapshotContent, change: PublishedSubprocessorChange): string {
  const incoming = change.subprocessor?.name ?? '';
  if (change.kind === 'add') return `${incoming} will be added`;
  if (change.kind === 'replace') return `${goingName(content, change)} will be replaced by ${incoming}`;
  return `${goingName(content, change)} will be removed`;
}

/** Where objections go: the trust center's security contact (an address or an https URL). */
export function objectionContact(content: SnapshotContent): { text: string; href: string | null } | null {
  const contact = securityContact(content.profile.securityContact);
  if (!contact) return null;
  if (contact.kind === 'email') return { text: contact.address, href: contact.href };
  if (contact.kind === 'url') return { text: contact.url, href: contact.href };
  return { text: contact.text, href: null };
}
