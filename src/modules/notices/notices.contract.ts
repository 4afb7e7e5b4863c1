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
      .describe('pending → sending → sent; failed after the fan-out ran out of retries (retry it).'),
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
