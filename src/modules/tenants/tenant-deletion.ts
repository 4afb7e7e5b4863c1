import { eq } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.js';
import { withPlatform, withTenant } from '../../platform/db/tenancy.js';
import type { BlobVault } from '../../platform/storage/blob-vault.js';
import { documentVersions } from '../documents/documents.schema.js';
import { tenants } from './tenants.schema.js';

/**
 * Deletes a tenant and everything it holds: its row goes, and with it every tenant table's rows
 * (each cascades from `tenants`), its data key among them, so its files are unreadable from that
 * moment on, in backups too. Then the files themselves are removed; one that cannot be (a crash, a
 * storage error) stays behind as unreadable ciphertext. Returns how many files were removed.
 */
export async function deleteTenantNow(
  db: Database,
  vault: BlobVault,
  tenantId: string,
): Promise<{ files: number }> {
  const blobs = await withTenant(db, tenantId, (tx) =>
    tx.select({ blobId: documentVersions.blobId }).from(documentVersions),
  );
  await withPlatform(db, (tx) => tx.delete(tenants).where(eq(tenants.id, tenantId)));
  let files = 0;
  for (const { blobId } of blobs) {
    try {
      await vault.remove(tenantId, blobId);
      files += 1;
    } catch {
      // Unreadable without the data key that was just deleted; nothing to retry for.
    }
  }
  return { files };
}
