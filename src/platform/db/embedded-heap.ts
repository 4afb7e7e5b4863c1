import v8 from 'node:v8';

/**
 * The idle `attest start` on the embedded database is meant for a small machine. V8 sizes its
 * young generation (where new objects are made) from the machine's memory and grows it while the
 * program loads: to 64MB here, which an idle server then keeps, almost empty, for good (a fifth of
 * its RSS, measured with bench/embedded-db). A growth factor of 1 keeps it at its initial size
 * (~1MB): more frequent minor collections, each costing what survives it, and nothing else
 * changes: no heap limit is set, so nothing runs out of memory that would not anyway.
 * `--max-semi-space-size` would do the same but only on the command line; this flag is read at
 * every resize, so it works when set at run time, as long as that is before the program loads.
 * See docs/decisions/0015-embedded-database-footprint.md.
 */
export function keepYoungGenerationSmall(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * V8 runs its background work (concurrent marking, compilation) on a pool of threads, one per core
 * by default. Each thread that allocates gets its own glibc malloc arena, and an arena keeps the
 * pages it touched once its thread is idle: 35-87MB across runs of the idle embedded server, most
 * of the spread between runs (bench/embedded-db). One background thread keeps concurrent work
 * concurrent, with one arena. It is a Node option that only works on the command line, so the
 * embedded `attest start` restarts itself in place with it (src/cli/embedded-heap.ts).
 */
export const oneBackgroundThread = '--v8-pool-size=1';

/**
 * What that one thread still kept was optimising compilation: 24MB system, 2MB in use, in its arena
 * (glibc's malloc_stats). Compiling on the main thread instead puts those short-lived buffers where
 * they are reused. Measured on an idle restart: 195-203MB with the pool of one, 178-195MB with this.
 */
export const optimiseOnMainThread = '--no-concurrent-recompilation';

/** The Node options of the embedded server, which it restarts itself with when they are missing. */
export const embeddedServerNodeOptions: readonly string[] = [oneBackgroundThread, optimiseOnMainThread];

/** `attest start` without DATABASE_URL: the one process of an embedded installation. */
export function isEmbeddedServerStart(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return argv[0] === 'start' && !env.DATABASE_URL?.trim();
}
