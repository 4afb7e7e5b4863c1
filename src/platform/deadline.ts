/**
 * `work`'s result, or `fallback` once `ms` have passed, whichever comes first. The work goes on
 * (its later result is unused); a failure before the deadline is passed on. For callers that must
 * answer in time whatever a dependency does: a readiness probe, a page already in memory.
 */
export async function within<T>(ms: number, work: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
