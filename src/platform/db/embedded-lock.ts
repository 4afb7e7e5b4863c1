import fs from 'node:fs';
import path from 'node:path';

/**
 * PGlite's files may be opened by one process only. A lock file with the owner's pid stops a second
 * `attest` process (say, a CLI import while the server runs) from opening the same data directory;
 * a lock left by a process that no longer exists is taken over.
 */
export function acquireEmbeddedLock(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'attest.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(file, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new EmbeddedDatabaseBusyError(owner, dataDir);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class EmbeddedDatabaseBusyError extends Error {
  override name = 'EmbeddedDatabaseBusyError';
  constructor(pid: number, dataDir: string) {
    super(
      `The embedded database in ${dataDir} is in use by process ${pid}. Stop that process first, or run Attest on PostgreSQL (DATABASE_URL) to use several processes at once.`,
    );
  }
}
