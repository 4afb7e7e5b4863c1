import zlib from 'node:zlib';

/** Compressed bytes the list cache may hold per process: thousands of 100-control lists. */
export const CONTROLS_LIST_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * Brotli 1: a cached list is written once per revision and read back on every hit, so the
 * cache wants fast compression (~0.3 ms for 75 KB) and cheap decompression, not the last percent.
 */
const BROTLI_OPTIONS: zlib.BrotliOptions = {
  params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 1,
    [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
  },
};

interface Entry {
  revision: string;
  total: number;
  items: Buffer;
}

/**
 * The API's controls lists as this process last read them, each under the content revision it
 * was read at (migration 0024): a list is only ever answered from here when PostgreSQL says, in
 * the same statement that would build it, that the tenant's revision is still that one. Kept
 * compressed, so a process holds the hot lists of thousands of tenants in a few megabytes;
 * least recently used out first (decision 0032).
 */
export function createControlsListCache(maxBytes = CONTROLS_LIST_CACHE_BYTES) {
  const entries = new Map<string, Entry>();
  let bytes = 0;

  function drop(key: string): void {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.items.length;
  }

  return {
    /** The revision a list is cached at, to ask PostgreSQL whether it still holds. */
    revisionOf(key: string): string | null {
      return entries.get(key)?.revision ?? null;
    },
    /** The cached list when it is at `revision` (and marks it recently used), else nothing. */
    read(key: string, revision: string): { items: string; total: number } | null {
      const entry = entries.get(key);
      if (!entry || entry.revision !== revision) return null;
      entries.delete(key);
      entries.set(key, entry);
      return { items: zlib.brotliDecompressSync(entry.items).toString('utf8'), total: entry.total };
    },
    write(key: string, revision: string, items: string, total: number): void {
      drop(key);
      const compressed = zlib.brotliCompressSync(items, BROTLI_OPTIONS);
      if (compressed.length > maxBytes) return;
      entries.set(key, { revision, total, items: compressed });
      bytes += compressed.length;
      for (const oldest of entries.keys()) {
        if (bytes <= maxBytes) break;
        drop(oldest);
      }
    },
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
  };
}

export type ControlsListCache = ReturnType<typeof createControlsListCache>;
