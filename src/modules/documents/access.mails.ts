import type { MailMessage } from '../../platform/mail/mail.contract.js';

/*
 * The mails of access requests. Plain text only: links are the only thing a reader acts on, and
 * every one of them is built by us, never taken from what a visitor typed.
 */

export interface TenantSender {
  /** "Acme Ltd": shown as "Acme Ltd Trust Center" in From. */
  name: string;
  /** Where the tenant's public pages live: https://trust.acme.example or https://attest.example/t/acme. */
  siteUrl: string;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

export function approvalMail(
  sender: TenantSender,
  grant: { email: string; expiresAt: Date; documentTitles: string[]; link: string },
): MailMessage {
  const titles = grant.documentTitles.map((title) => `  - ${oneLine(title)}`).join('\n');
  return {
    to: grant.email,
    fromName: `${oneLine(sender.name)} Trust Center`.slice(0, 200),
    subject: `Your access to documents of ${oneLine(sender.name)}`.slice(0, 300),
    text: [
      'Hello,',
      '',
      `your request for documents of ${oneLine(sender.name)} has been approved. Open them here:`,
      '',
      grant.link,
      '',
      'The link works once and opens a session in that browser. Your access ends on',
      `${grant.expiresAt.toISOString().slice(0, 10)}. It covers:`,
      titles,
      '',
      'Copies you download are marked with your e-mail address and company.',
      '',
      `${oneLine(sender.name)} Trust Center`,
      sender.siteUrl,
    ].join('\n'),
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

/** Fresh single-use links to the grants still in force for one address, asked for by someone. */
export function newLinkMail(
  sender: TenantSender,
  email: string,
  grants: { expiresAt: Date; documentTitles: string[]; link: string }[],
): MailMessage {
  const blocks = grants.flatMap((grant) => [
    grant.link,
    `Access until ${grant.expiresAt.toISOString().slice(0, 10)} to:`,
    ...grant.documentTitles.map((title) => `  - ${oneLine(title)}`),
    '',
  ]);
  return {
    to: email,
    fromName: `${oneLine(sender.name)} Trust Center`.slice(0, 200),
    subject: `A new link to your documents of ${oneLine(sender.name)}`.slice(0, 300),
    text: [
      'Hello,',
      '',
      `someone asked for a new link to the documents ${oneLine(sender.name)} shares with this address.`,
      grants.length === 1 ? 'Open them here:' : 'Open them here (one link per approval):',
      '',
      ...blocks,
      'Each link works once and opens a session in that browser; earlier links no longer work.',
      '',
      'If you did not ask for this, you can ignore this mail: the link is only in your mailbox.',
      '',
      `${oneLine(sender.name)} Trust Center`,
      sender.siteUrl,
    ].join('\n'),
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

export function staffNoticeMail(
  sender: TenantSender,
  to: string,
  request: { name: string; email: string; company: string; reason: string; documentCount: number },
  consoleUrl: string,
): MailMessage {
  return {
    to,
    fromName: `${oneLine(sender.name)} Trust Center`.slice(0, 200),
    subject: `Access request waiting: ${oneLine(request.company)}`.slice(0, 300),
    text: [
      'A request for documents waits for a decision.',
      '',
      `Name: ${oneLine(request.name)}`,
      `E-mail: ${request.email}`,
      `Company: ${oneLine(request.company)}`,
      `Documents: ${request.documentCount}`,
      `Reason: ${oneLine(request.reason) || '(none given)'}`,
      '',
      `Approve or deny it in the console: ${consoleUrl}`,
    ].join('\n'),
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}
