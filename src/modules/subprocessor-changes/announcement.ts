import { escapeMarkdown } from '../../public/markdown.js';
import type { SubprocessorInput } from '../content/content.contract.js';
import type { ChangeInput } from './subprocessor-changes.contract.js';

/** The post (and notice) that announces a subprocessor change: what changes, when, and whom to object to. */
export function announcementPost(
  change: ChangeInput,
  going: SubprocessorInput | undefined,
  objectionContact: string,
): { title: string; body: string } {
  const date = change.effectiveOn;
  const incoming = change.subprocessor;
  const goingName = going?.name ?? change.subprocessorKey ?? '';
  const title =
    change.kind === 'add'
      ? `New subprocessor from ${date}: ${incoming?.name}`
      : change.kind === 'replace'
        ? `${goingName} will be replaced by ${incoming?.name} on ${date}`
        : `${goingName} will no longer be a subprocessor from ${date}`;
  const lines: string[] = [];
  if (change.summary) lines.push(escapeMarkdown(change.summary));
  if (incoming) {
    const facts = [
      ['Legal entity', incoming.legalEntity],
      ['Purpose', incoming.purpose],
      ['Data processed', incoming.dataProcessed],
      ['Location', incoming.location],
      ['Transfer safeguards', incoming.transferSafeguards],
    ].filter(([, value]) => value?.trim());
    if (facts.length)
      lines.push(facts.map(([label, value]) => `- ${label}: ${escapeMarkdown(value ?? '')}`).join('\n'));
  }
  lines.push(`The change takes effect on ${date}.`);
  if (objectionContact.trim()) {
    lines.push(`To object to this change, contact ${escapeMarkdown(objectionContact)} before ${date}.`);
  }
  return { title: title.slice(0, 200), body: lines.join('\n\n') };
}
