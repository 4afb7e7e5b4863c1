import { createHash } from 'node:crypto';
import type { MailMessage } from '../../platform/mail/mail.contract.js';
import type { EvidenceCheckKey } from './evidence.contract.js';

/*
 * The mails to the staff who manage a trust center's settings when one of its live evidence checks
 * starts failing, and when it holds again. Plain text; every link is built by us.
 */

export interface EvidenceMailInput {
  /** The trust center's name, as its console shows it. */
  trustCenter: string;
  check: EvidenceCheckKey;
  title: string;
  summary: string;
  status: 'pass' | 'fail' | 'error' | 'not_applicable';
  /** When the failing episode began (the first failing result after a pass). */
  failingSince: Date;
  checkedAt: Date;
  /** The published controls the check backs (their titles). */
  controls: readonly string[];
  consoleUrl: string;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** "2026-12-03 13:45 UTC": the same minute everywhere a reader looks. */
export function utcMinute(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * One mail per recipient and transition, however often or by however many workers the transition
 * is recorded: the key names the check, the failing episode (its start) and the recipient.
 */
function dedupeKey(kind: 'failing' | 'recovered', input: EvidenceMailInput, to: string): string {
  const recipient = createHash('sha256').update(to).digest('hex').slice(0, 24);
  return `evidence:${input.check}:${kind}:${input.failingSince.getTime()}:${recipient}`;
}

function controlLines(controls: readonly string[]): string[] {
  return controls.length > 0 ? controls.map((title) => `  - ${oneLine(title)}`) : ['  (none published)'];
}

export function checkFailingMail(input: EvidenceMailInput, to: string): MailMessage {
  const name = oneLine(input.trustCenter);
  const what = input.status === 'error' ? 'could not run' : 'fails';
  return {
    to,
    fromName: `${name} Trust Center`.slice(0, 200),
    subject: `Evidence check failing: ${oneLine(input.title)}`.slice(0, 300),
    text: [
      `The live evidence check "${oneLine(input.title)}" of ${name}'s trust center ${what} since ${utcMinute(input.failingSince)}.`,
      '',
      `Found: ${oneLine(input.summary)}`,
      '',
      `Until it passes again, these published controls show "Verification failing since ${utcMinute(input.failingSince)}" on the public trust center:`,
      ...controlLines(input.controls),
      '',
      'Fix the cause, or change the claim and publish it.',
      `The results are in the console: ${input.consoleUrl}`,
    ].join('\n'),
    headers: { 'Auto-Submitted': 'auto-generated' },
    dedupeKey: dedupeKey('failing', input, to),
  };
}

export function checkRecoveredMail(input: EvidenceMailInput, to: string): MailMessage {
  const name = oneLine(input.trustCenter);
  const now = input.status === 'not_applicable' ? 'no longer applies' : 'passes again';
  return {
    to,
    fromName: `${name} Trust Center`.slice(0, 200),
    subject: `Evidence check ${now}: ${oneLine(input.title)}`.slice(0, 300),
    text: [
      `The live evidence check "${oneLine(input.title)}" of ${name}'s trust center ${now} (checked ${utcMinute(input.checkedAt)}). It had been failing since ${utcMinute(input.failingSince)}.`,
      '',
      `Found: ${oneLine(input.summary)}`,
      '',
      'These published controls show their published status again:',
      ...controlLines(input.controls),
      '',
      `The results are in the console: ${input.consoleUrl}`,
    ].join('\n'),
    headers: { 'Auto-Submitted': 'auto-generated' },
    dedupeKey: dedupeKey('recovered', input, to),
  };
}
