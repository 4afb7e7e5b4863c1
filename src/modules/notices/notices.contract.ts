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
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Notice' });
export type NoticeResponse = z.infer<typeof noticeResponse>;
