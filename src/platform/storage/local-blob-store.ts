import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  assertBlobKey,
  type BlobStore,
  BlobStoreUnavailableError,
  isBlobKey,
  isTemporaryName,
  type StoredObject,
} from './blob-store.js';

/** File-system failures that are the disk's state, not a bug: no room, read-only, I/O, permissions. */
const UNAVAILABLE = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE']);

function unavailable(operation: 'put' | 'get' | 'delete' | 'list', error: unknown): unknown {
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

/** The entries of a directory; none when it does not exist (nothing stored yet, or swept meanwhile). */
async function entriesOf(dir: string): Promise<import('node:fs').Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw unavailable('list', error);
  }
}

/** When the file was last written; null when it is gone (another sweeper, a delete). */
async function modifiedAt(file: string): Promise<Date | null> {
  try {
    return (await fs.stat(file)).mtime;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw unavailable('list', error);
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

  /** One tenant directory after the other; anything not named as Attest names it is left alone. */
  async function* list(): AsyncGenerator<StoredObject> {
    for (const tenantDir of await entriesOf(resolvedRoot)) {
      if (!tenantDir.isDirectory()) continue;
      for (const entry of await entriesOf(path.join(resolvedRoot, tenantDir.name))) {
        if (!entry.isFile()) continue;
        const name = `${tenantDir.name}/${entry.name}`;
        const kind = isBlobKey(name) ? 'blob' : isTemporaryName(name) ? 'temporary' : null;
        if (!kind) continue;
        const at = await modifiedAt(path.join(resolvedRoot, tenantDir.name, entry.name));
        if (!at) continue;
        yield kind === 'blob' ? { kind, key: name, modifiedAt: at } : { kind, name, modifiedAt: at };
      }
    }
  }

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

    list,

    async removeTemporary(name) {
      if (!isTemporaryName(name)) throw new Error('invalid temporary name');
      await fs.rm(path.join(resolvedRoot, ...name.split('/')), { force: true });
    },
  };
}
