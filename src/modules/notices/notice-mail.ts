import type { MailMessage } from '../../platform/mail/mail.contract.js';
import {
  listUnsubscribeHeaders,
  type MailIdentity,
  unsubscribeUrl,
} from '../subscribers/subscribers.service.js';

/** What one subscriber receives for a notice: the notice, a link to the feed, one-click unsubscribe. */
export function noticeMail(input: {
  identity: MailIdentity;
  notice: { id: string; subject: string; body: string };
  subscriber: { id: string; email: string };
}): MailMessage {
  const { identity, notice, subscriber } = input;
  const unsubscribe = unsubscribeUrl(identity, subscriber.id);
  return {
    to: subscriber.email,
    subject: notice.subject,
    text: [
      notice.body || notice.subject,
      `All updates: ${identity.siteUrl}/updates`,
      `You receive this because you subscribed to notices from the ${identity.companyName} Trust Center.`,
      `Unsubscribe with one click: ${unsubscribe}`,
    ].join('\n\n'),
    headers: { ...listUnsubscribeHeaders(unsubscribe), 'Auto-Submitted': 'auto-generated' },
    fromName: identity.fromName,
    ...(identity.replyTo ? { replyTo: identity.replyTo } : {}),
    // One mail per subscriber and notice, however often the fan-out runs.
    dedupeKey: `notice:${notice.id}:${subscriber.id}`,
  };
}
