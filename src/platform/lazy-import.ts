/**
 * A library loaded on first use instead of at start: an idle `attest start` on a small machine
 * then holds none of its code or data (see docs/decisions/0015-embedded-database-footprint.md).
 * The first call starts the import and every later one shares it. A failed import is not kept:
 * it rejects with a LibraryLoadError naming the library (its cause attached), which callers treat
 * like any other internal failure, and the next call tries again.
 */
export class LibraryLoadError extends Error {
  constructor(
    readonly library: string,
    cause: unknown,
  ) {
    super(`could not load ${library}`, { cause });
    this.name = 'LibraryLoadError';
  }
}

export function lazyImport<T>(library: string, load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = null;
      throw new LibraryLoadError(library, error);
    });
    return loading;
  };
}
