/**
 * Runs background work per key, at most one run per key at a time. A request that arrives while
 * that key's run is under way is not dropped: it asks for exactly one more run after the current
 * one, because the current run may already have read the state the request is about (a second
 * publish landing while the first publish's run reads the snapshot). Any number of requests during
 * one run collapse into that one follow-up run.
 */
export function createCoalescedRuns(
  work: (key: string) => Promise<unknown>,
  onError: (key: string, error: unknown) => void,
) {
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  let accepting = true;

  function start(key: string): void {
    // In the map before the work starts: work that fails at once still finds its entry to remove.
    let finished: () => void = () => {};
    running.set(
      key,
      new Promise<void>((resolve) => {
        finished = resolve;
      }),
    );
    void (async () => {
      try {
        do {
          again.delete(key);
          try {
            await work(key);
          } catch (error) {
            try {
              onError(key, error);
            } catch {
              // Reporting failed too; the run still ends and the key stays usable.
            }
          }
        } while (again.has(key) && accepting);
      } finally {
        again.delete(key);
        running.delete(key);
        finished();
      }
    })();
  }

  return {
    /** Asks for a run for `key`: now, or once more after the one under way. */
    request(key: string): void {
      if (!accepting) return;
      if (running.has(key)) again.add(key);
      else start(key);
    },
    /** Refuses new requests and waits for the runs under way (follow-ups are not started). */
    async drain(): Promise<void> {
      accepting = false;
      await Promise.all(running.values());
    },
    /** Resolves when no run is under way (for tests and orderly waits). */
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
