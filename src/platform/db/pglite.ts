import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

/**
 * How Attest starts PGlite: small, and fast to open. See docs/decisions/0015-embedded-database-footprint.md.
 *
 * PGlite's postgres lives in one WebAssembly memory that only grows. Its shared memory is allocated
 * and zeroed at start, so `shared_buffers` (128MB, initdb's default) is resident from the first
 * query. Attest's working set is a few MB of catalog and tenant rows, and every page PGlite reads
 * comes through the operating system's file cache anyway, so a miss costs a system call, not a disk
 * read. The setting is a memory size only: nothing here touches `fsync`, `synchronous_commit`,
 * `full_page_writes` or PGlite's `relaxedDurability`, so a commit writes its WAL to the data
 * directory before it returns, as before. `wal_buffers` follows (1/32 of it by default).
 */
export const pgliteSettings: Readonly<Record<string, string>> = {
  shared_buffers: '8MB',
};

/** PGlite's own start parameters (single-user mode, no parallel workers …) plus Attest's settings. */
export function pgliteStartParams(): string[] {
  return [
    ...PGlite.defaultStartParams,
    ...Object.entries(pgliteSettings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ];
}

/**
 * PGlite reaches its data directory through Emscripten's file system, which throws an `ErrnoError`
 * carrying a WASI errno number (not an Error, no message). The ones a disk's state explains, by name.
 */
const WASI_ERRNO: Readonly<Record<number, string>> = {
  2: 'EACCES',
  19: 'EDQUOT',
  29: 'EIO',
  31: 'EISDIR',
  33: 'EMFILE',
  41: 'ENFILE',
  51: 'ENOSPC',
  54: 'ENOTDIR',
  63: 'EPERM',
  69: 'EROFS',
};

/** The errno name of a file-system error PGlite threw, when it is one of those above. */
export function pgliteErrnoCode(error: unknown): string | undefined {
  const { name, errno } = (error ?? {}) as { name?: unknown; errno?: unknown };
  return name === 'ErrnoError' && typeof errno === 'number' ? WASI_ERRNO[errno] : undefined;
}

export interface PgliteOpenOptions {
  /** A data directory, or `memory://`. */
  dir: string;
  /** A tarball of a data directory (`dumpDataDir`) to start from; only with `memory://`. */
  template?: Blob | undefined;
}

/**
 * V8 compiles PGlite's 9MB of WebAssembly twice by default: at once with its baseline compiler
 * (Liftoff), then the hot functions again with the optimising one (TurboFan) on background
 * threads. The second pass holds ~40MB that the process keeps and, on a small machine, competes
 * with start-up for the CPU; measured on Attest's queries it bought no throughput (see
 * bench/embedded-db). Baseline code only, then. This is a process-wide V8 flag: it is set before
 * the first module is compiled and affects only WebAssembly, which nothing else in Attest uses.
 */
function compileWasmWithBaselineOnly(): void {
  v8.setFlagsFromString('--liftoff-only');
}

/** The contrib extensions migrations may create (`pg_trgm`: questionnaire answers, migration 0025). */
const extensions = { pg_trgm };

export async function createPglite({ dir, template }: PgliteOpenOptions): Promise<PGlite> {
  compileWasmWithBaselineOnly();
  const startParams = pgliteStartParams();
  if (template) {
    if (dir !== 'memory://') throw new Error('a PGlite template can only be loaded into memory://');
    return PGlite.create({ loadDataDir: template, startParams, extensions });
  }
  if (dir !== 'memory://') await initdbOnce(dir);
  return PGlite.create(dir, { startParams, extensions });
}

const execFileAsync = promisify(execFile);

/**
 * Creates the cluster of a new data directory in a child process. PGlite's initdb runs a second
 * postgres and snapshots its memory; about 600MB of it stays reachable in the process that ran it,
 * which then idles at ~900MB instead of ~150MB. A child gives all of it back when it exits. It
 * builds the cluster beside the target and renames it into place, so a start interrupted midway
 * leaves no half-made cluster that the next start would take for a real one.
 */
async function initdbOnce(dir: string): Promise<void> {
  // An existing directory is a cluster, or one the operator made (maybe a mount point, which
  // cannot be renamed onto): PGlite resumes or creates it in place, as before.
  if (fs.existsSync(dir)) return;
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  // What an interrupted first start left (one process holds the data directory's lock at a time).
  for (const name of fs.readdirSync(parent)) {
    if (name.startsWith(`${path.basename(dir)}.initdb-`))
      fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
  const building = `${dir}.initdb-${process.pid}`;
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  // An Emscripten ErrnoError has no message: its errno names the cause (see WASI_ERRNO).
  const script = `const { PGlite } = require(process.argv[1]);
const codes = ${JSON.stringify(WASI_ERRNO)};
PGlite.create(process.argv[2]).then((pg) => pg.close()).then(
  () => process.exit(0),
  (error) => {
    const code = error && error.name === 'ErrnoError' ? codes[error.errno] : undefined;
    console.error(code ? 'errno:' + code : String(error && error.message || error));
    process.exit(1);
  });`;
  try {
    await execFileAsync(process.execPath, ['-e', script, entry, building], {
      env: { ...process.env, NODE_OPTIONS: '' },
      maxBuffer: 1 << 20,
    });
    fs.renameSync(building, dir);
  } catch (error) {
    fs.rmSync(building, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr?.trim();
    const code = /^errno:(E[A-Z]+)$/.exec(stderr ?? '')?.[1];
    // The disk's state, told like Node's own file-system errors (code, path), so the CLI says it in one line.
    if (code)
      throw Object.assign(new Error(`could not create the embedded database in ${dir}: ${code}`), {
        code,
        syscall: 'write',
        path: dir,
      });
    throw new Error(`could not create the embedded database in ${dir}${stderr ? `: ${stderr}` : ''}`);
  }
}
