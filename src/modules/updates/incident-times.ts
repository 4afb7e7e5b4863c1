import { AppError } from '../../platform/errors.js';

/**
 * How far ahead of the server's clock a time typed in the console may lie: the browser's clock
 * can run a little fast, and "now" is filled in before the form is sent. Anything later is a time
 * that has not happened yet, which an incident record (and the evidence read from it) cannot hold.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

export function refuseFutureTimes(times: (Date | null | undefined)[], now: Date): void {
  const latest = now.getTime() + CLOCK_SKEW_MS;
  if (times.some((time) => time && time.getTime() > latest)) throw new AppError('incident.time_in_future');
}

type Times = { detectedAt: Date; customersNotifiedAt: Date | null; resolvedAt: Date | null };

/** The times an edit changed, each as { before, after }, for the audit event. */
export function changedTimes(
  before: Times,
  after: Times,
): Record<string, { before: string | null; after: string | null }> {
  const changed: Record<string, { before: string | null; after: string | null }> = {};
  for (const key of ['detectedAt', 'customersNotifiedAt', 'resolvedAt'] as const) {
    const was = before[key]?.toISOString() ?? null;
    const is = after[key]?.toISOString() ?? null;
    if (was !== is) changed[key] = { before: was, after: is };
  }
  return changed;
}
