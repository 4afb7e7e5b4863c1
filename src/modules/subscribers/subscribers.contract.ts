import { z } from 'zod';
import { line } from '../../platform/validation/strings.js';
import { topics } from './topics.js';

export const topic = z.enum(topics);

/** A subscriber's address: one plain address, lower-cased (mirrors the database check). */
export const subscriberEmail = z.string().trim().toLowerCase().min(3).max(254).pipe(z.email());

export const subscribeInput = z.object({
  email: subscriberEmail,
  topics: z
    .array(topic)
    .min(1)
    .max(3)
    .transform((chosen) => (chosen.includes('all') ? ['all' as const] : [...new Set(chosen)])),
});
export type SubscribeInput = z.input<typeof subscribeInput>;

export const notificationSettingsInput = z.object({
  noticePeriodDays: z
    .number()
    .int()
    .min(1)
    .max(365)
    .describe('Days between announcing a subprocessor change and its effective date, at least.'),
  senderName: line(100, 0).describe('Display name of the mails; the trust center name when empty.'),
  replyTo: subscriberEmail.nullable().describe('Where replies to notices go.'),
});
export type NotificationSettings = z.infer<typeof notificationSettingsInput>;

export const subscriberResponse = z
  .object({
    id: z.uuid(),
    email: z.string(),
    topics: z.array(topic),
    status: z.enum(['pending', 'confirmed']),
    confirmedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Subscriber' });

export const subscriberCounts = z.object({
  confirmed: z.number().int(),
  pending: z.number().int(),
  byTopic: z.object({ subprocessors: z.number().int(), incidents: z.number().int(), all: z.number().int() }),
});
