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

/** `attest start` without DATABASE_URL: the one process of an embedded installation. */
export function isEmbeddedServerStart(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return argv[0] === 'start' && !env.DATABASE_URL?.trim();
}
