import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { assertBlobKey, type BlobStore, BlobStoreUnavailableError } from './blob-store.js';

/** File-system failures that are the disk's state, not a bug: no room, read-only, I/O, permissions. */
const UNAVAILABLE = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE']);

function unavailable(operation: 'put' | 'get' | 'delete', error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  return code && UNAVAILABLE.has(code) ? new BlobStoreUnavailableError(operation, code) : error;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Blobs as files under `root` (the default: ATTEST_DATA_DIR/blobs). A write goes to a temporary
 * file in the same directory, is flushed to disk, and is renamed over the final name (atomic on
 * POSIX file systems), and the directory entry is flushed too: after a crash there is either the
 * whole blob or none, never half of one. Files and directories are readable by the owner only.
 */
export function createLocalBlobStore(root: string): BlobStore {
  const resolvedRoot = path.resolve(root);
  const fileOf = (key: string) => path.join(resolvedRoot, ...assertBlobKey(key).split('/'));

  return {
    driver: 'local',

    async put(key, data) {
      const file = fileOf(key);
      const dir = path.dirname(file);
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        const handle = await fs.open(temp, 'wx', 0o600);
        try {
          await handle.writeFile(data);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await fs.rename(temp, file);
        await syncDirectory(dir);
      } catch (error) {
        await fs.rm(temp, { force: true }).catch(() => {});
        throw unavailable('put', error);
      }
    },

    async get(key) {
      try {
        return await fs.readFile(fileOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },

    async delete(key) {
      await fs.rm(fileOf(key), { force: true });
    },
  };
}
