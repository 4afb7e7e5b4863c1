import { escapeMarkdown } from '../../platform/text/markdown-escape.js';
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

/** What a withdrawal needs to know of the change it withdraws (a stored change row fits). */
export interface WithdrawnChange {
  kind: ChangeInput['kind'];
  subprocessorKey: string | null;
  subprocessor: SubprocessorInput | null;
  effectiveOn: string;
  announcedAt: Date;
}

/**
 * The post (and notice) that withdraws an announced change: the people who were told of it learn
 * that it will not happen and that the subprocessor list stays as it is.
 */
export function withdrawalPost(
  change: WithdrawnChange,
  going: SubprocessorInput | undefined,
): { title: string; body: string } {
  const date = change.effectiveOn;
  const announcedOn = change.announcedAt.toISOString().slice(0, 10);
  const incomingName = change.subprocessor?.name ?? '';
  const goingName = going?.name ?? change.subprocessorKey ?? '';
  const title =
    change.kind === 'add'
      ? `Withdrawn: ${incomingName} will not be added on ${date}`
      : change.kind === 'replace'
        ? `Withdrawn: ${goingName} will not be replaced by ${incomingName} on ${date}`
        : `Withdrawn: ${goingName} will not be removed on ${date}`;
  const incoming = escapeMarkdown(incomingName);
  const goingText = escapeMarkdown(goingName);
  const announced =
    change.kind === 'add'
      ? `that ${incoming} would become a subprocessor on ${date}`
      : change.kind === 'replace'
        ? `that ${goingText} would be replaced by ${incoming} on ${date}`
        : `that ${goingText} would no longer be a subprocessor from ${date}`;
  const outcome =
    change.kind === 'add'
      ? `${incoming} will not become a subprocessor.`
      : change.kind === 'replace'
        ? `${goingText} remains a subprocessor and ${incoming} will not become one.`
        : `${goingText} remains a subprocessor.`;
  const lines = [
    `On ${announcedOn} we announced ${announced}. That announcement is withdrawn.`,
    `Nothing changes: ${outcome}`,
  ];
  return { title: title.slice(0, 200), body: lines.join('\n\n') };
}
