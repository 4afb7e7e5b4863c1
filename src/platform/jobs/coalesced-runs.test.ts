import { describe, expect, it } from 'vitest';
import { createCoalescedRuns } from './coalesced-runs.js';

/** A run whose end the test decides, so the interleaving is the test's and not the scheduler's. */
function gatedWork() {
  const started: string[] = [];
  const gates: Array<() => void> = [];
  const work = (key: string) =>
    new Promise<void>((resolve) => {
      started.push(key);
      gates.push(resolve);
    });
  const finishNext = async () => {
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { started, work, finishNext };
}

describe('coalesced background runs', () => {
  it('runs once more when a request arrives during a run, however many arrive', async () => {
    const { started, work, finishNext } = gatedWork();
    const runs = createCoalescedRuns(work, () => {});
    runs.request('tenant-a');
    expect(started).toEqual(['tenant-a']);
    // Two publishes land while the first run is reading: one follow-up run, not zero, not two.
    runs.request('tenant-a');
    runs.request('tenant-a');
    expect(started).toEqual(['tenant-a']);
    await finishNext();
    expect(started).toEqual(['tenant-a', 'tenant-a']);
    await finishNext();
    await runs.idle();
    expect(started).toEqual(['tenant-a', 'tenant-a']);
  });

  it('runs different keys side by side and a later request after an idle key at once', async () => {
    const { started, work, finishNext } = gatedWork();
    const runs = createCoalescedRuns(work, () => {});
    runs.request('a');
    runs.request('b');
    expect(started).toEqual(['a', 'b']);
    await finishNext();
    await finishNext();
    await runs.idle();
    runs.request('a');
    expect(started).toEqual(['a', 'b', 'a']);
    await finishNext();
    await runs.idle();
  });

  it('reports a failed run and still does the follow-up', async () => {
    const errors: string[] = [];
    let calls = 0;
    let release: () => void = () => {};
    const runs = createCoalescedRuns(
      async () => {
        calls += 1;
        if (calls === 1) {
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          throw new Error('database went away');
        }
      },
      (key, error) => errors.push(`${key}: ${(error as Error).message}`),
    );
    runs.request('t');
    runs.request('t');
    release();
    await runs.idle();
    expect(errors).toEqual(['t: database went away']);
    expect(calls).toBe(2);
  });

  it('after drain, waits for the run under way, starts no follow-up and takes no new request', async () => {
    const { started, work, finishNext } = gatedWork();
    const runs = createCoalescedRuns(work, () => {});
    runs.request('t');
    runs.request('t');
    const drained = runs.drain();
    runs.request('u');
    await finishNext();
    await drained;
    expect(started).toEqual(['t']);
  });

  it('keeps the key usable when the work throws before it awaits anything, and when reporting fails', async () => {
    let calls = 0;
    const runs = createCoalescedRuns(
      (() => {
        calls += 1;
        throw new Error('failed at once');
      }) as never,
      () => {
        throw new Error('the logger failed too');
      },
    );
    runs.request('t');
    await runs.idle();
    runs.request('t');
    await runs.idle();
    expect(calls).toBe(2);
    await runs.drain();
  });
});
