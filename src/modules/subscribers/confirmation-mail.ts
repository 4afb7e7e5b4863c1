import type { MailMessage } from '../../platform/mail/mail.contract.js';
import { listUnsubscribeHeaders, type MailIdentity, unsubscribeUrl } from './mail-identity.js';
import type { Topic } from './subscribers.schema.js';

export const topicLabels: Record<Topic, string> = {
  subprocessors: 'subprocessor changes',
  incidents: 'security incidents',
  all: 'all updates',
};

/** The double opt-in mail: a single-use confirmation link, and the one-click unsubscribe every mail has. */
export function confirmationMail(input: {
  identity: MailIdentity;
  subscriberId: string;
  email: string;
  token: string;
  topics: Topic[];
}): MailMessage {
  const { identity } = input;
  const confirmUrl = `${identity.siteUrl}/subscribe/confirm?${new URLSearchParams({ token: input.token })}`;
  const unsubscribe = unsubscribeUrl(identity, input.subscriberId);
  const what = input.topics.map((topic) => topicLabels[topic]).join(' and ');
  return {
    to: input.email,
    subject: `Confirm your subscription to ${identity.companyName} Trust Center updates`,
    text: [
      `Someone, hopefully you, asked to receive notices about ${what} from the ${identity.companyName} Trust Center at this address.`,
      `To confirm, open this link within 7 days:\n${confirmUrl}`,
      'If it was not you, ignore this mail: without confirmation nothing is sent and the request is deleted after 7 days.',
      `Unsubscribe: ${unsubscribe}`,
    ].join('\n\n'),
    headers: { ...listUnsubscribeHeaders(unsubscribe), 'Auto-Submitted': 'auto-generated' },
    fromName: identity.fromName,
    ...(identity.replyTo ? { replyTo: identity.replyTo } : {}),
  };
}
