import { z } from 'zod';
import { noticeStates, noticeTopics } from './notices.schema.js';

export const noticeResponse = z
  .object({
    id: z.uuid(),
    topic: z.enum(noticeTopics),
    updateId: z.uuid().nullable(),
    subject: z.string(),
    state: z
      .enum(noticeStates)
      .describe(
        'pending → sending → sent; failed when the fan-out ran out of retries, or when it is done and some of its mails failed for good with none still under way (retry it: the fan-out runs again and failed mails are sent again).',
      ),
    recipients: z.number().int().describe('Mails put in the outbox so far, one per subscriber.'),
    delivery: z
      .object({
        pending: z.number().int().describe('Waiting in the outbox or being sent (retries included).'),
        sent: z.number().int().describe('Accepted by the mail server.'),
        failed: z.number().int().describe('Given up after the retries, or refused by the mail server.'),
        stored: z.number().int().describe('Kept in the outbox because no mail server is configured.'),
      })
      .describe("This notice's mails by delivery state."),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Notice' });
export type NoticeResponse = z.infer<typeof noticeResponse>;
