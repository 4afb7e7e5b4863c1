import { z } from 'zod';
import { line, patchOf, prose } from '../../platform/validation/strings.js';
import { markdownShapeProblem } from './markdown-limits.js';
import { updateKinds } from './update-kinds.js';

/* The updates feed and incidents as the API and the admin console see them. */

export const updateKind = z.enum(updateKinds);

const dateTime = z.iso.datetime({ offset: true });

/** The longest post body, in characters (the console counts towards it as you type). */
export const POST_BODY_MAX = 20_000;

/** A post body: bounded in length, and in the shapes that make Markdown costly to render. */
const postBody = prose(POST_BODY_MAX).superRefine((markdown, ctx) => {
  const problem = markdownShapeProblem(markdown);
  if (problem) ctx.addIssue({ code: 'custom', message: `The text ${problem}.` });
});

export const postInput = z.object({
  kind: updateKind,
  title: line(200),
  body: postBody.default('').describe('Markdown. Rendered and sanitised on the public site: no raw HTML.'),
  incidentId: z.uuid().nullable().default(null),
});
export type PostInput = z.infer<typeof postInput>;
export const postPatch = patchOf(postInput);

/** A post body to render as the public site would, before it is saved or published. */
export const previewInput = z.object({ body: postBody });
export const previewResponse = z
  .object({ html: z.string().describe('The sanitised HTML the public updates page would show.') })
  .meta({ id: 'UpdatePreview' });

export const postResponse = z
  .object({
    id: z.uuid(),
    kind: updateKind,
    title: z.string(),
    body: z.string(),
    incidentId: z.uuid().nullable(),
    publishedAt: dateTime.nullable(),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: 'UpdatePost' });
export type PostResponse = z.infer<typeof postResponse>;

/*
 * When customers were notified is not an input: it feeds the public incident-notification evidence,
 * so the system records it when a linked incident update's notice has gone out to subscribers
 * (incidents.service.ts, recordIncidentNotifiedIn). The schemas are strict so that a client sending
 * it is told so (400) rather than silently ignored.
 */
export const incidentInput = z.strictObject({
  title: line(200),
  detectedAt: dateTime.describe('Not in the future. Once recorded it may be moved earlier, never later.'),
  resolvedAt: dateTime.nullable().default(null).describe('Not in the future, nor before detection.'),
});
export const incidentPatch = patchOf(incidentInput).strict();

/** Customers are told within this many hours of detection; the console warns from WARN_AFTER_HOURS. */
export const NOTIFY_TARGET_HOURS = 24;
export const WARN_AFTER_HOURS = 18;

export const notificationStates = ['on_track', 'warning', 'overdue', 'met', 'missed'] as const;

export const incidentResponse = z
  .object({
    id: z.uuid(),
    title: z.string(),
    detectedAt: dateTime,
    customersNotifiedAt: dateTime
      .nullable()
      .describe("Set by the system when a linked incident update's notice has gone out to subscribers."),
    resolvedAt: dateTime.nullable(),
    timeToNotify: z.object({
      targetHours: z.number().int(),
      deadline: dateTime,
      warnAt: dateTime,
      minutes: z
        .number()
        .int()
        .describe('Detection to notification, or to now while customers have not been notified.'),
      state: z
        .enum(notificationStates)
        .describe(
          'on_track, warning (past 18 h, not notified), overdue (past 24 h, not notified), met or missed.',
        ),
    }),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: 'Incident' });
export type IncidentResponse = z.infer<typeof incidentResponse>;
