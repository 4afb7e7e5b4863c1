import type { Clock } from '../../src/platform/clock.js';

/** A clock the test moves by hand: sessions, tokens and keys expire when the test says so. */
export function manualClock(start = new Date('2026-11-26T09:00:00Z')) {
  let now = start.getTime();
  const clock: Clock = () => new Date(now);
  return {
    clock,
    advance(milliseconds: number) {
      now += milliseconds;
    },
    minutes: (count: number) => count * 60_000,
    hours: (count: number) => count * 3_600_000,
  };
}
