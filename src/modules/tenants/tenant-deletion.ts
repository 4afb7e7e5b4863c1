import { and, eq, inArray, lte, notExists, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/client.js';
import { withPlatform, withTenant } from '../../platform/db/tenancy.js';
import type { BlobVault } from '../../platform/storage/blob-vault.js';
import { memberships, users } from '../accounts/accounts.schema.js';
import { documentVersions } from '../documents/documents.schema.js';
import { tenants } from './tenants.schema.js';

/**
 * Deletes a tenant and everything it holds: its row goes, and with it every tenant table's rows
 * (each cascades from `tenants`), its data key among them; the accounts of its people who belong
 * to no other trust center go too, so its files are unreadable from that
 * moment on, in backups too. Then the files themselves are removed; one that cannot be (a crash, a
 * storage error) stays behind as unreadable ciphertext. Returns how many files were removed.
 */
export async function deleteTenantNow(
  db: Database,
  vault: BlobVault,
  tenantId: string,
  /** Delete only a tenant that is closing with its deletion date at or before this (the worker). */
  options: { dueBy?: Date } = {},
): Promise<{ deleted: boolean; files: number }> {
  const blobs = await withTenant(db, tenantId, (tx) =>
    tx.select({ blobId: documentVersions.blobId }).from(documentVersions),
  );
  const people = await withPlatform(db, (tx) =>
    tx.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.tenantId, tenantId)),
  );
  const deleted = await withPlatform(db, (tx) =>
    tx
      .delete(tenants)
      .where(
        options.dueBy
          ? and(
              eq(tenants.id, tenantId),
              eq(tenants.status, 'closing'),
              lte(tenants.deletionDueAt, options.dueBy),
            )
          : eq(tenants.id, tenantId),
      )
      .returning({ id: tenants.id }),
  );
  if (deleted.length === 0) return { deleted: false, files: 0 };
  // Its people's accounts go too, unless they still belong to another trust center.
  if (people.length > 0) {
    await withPlatform(db, (tx) =>
      tx.delete(users).where(
        and(
          inArray(
            users.id,
            people.map((person) => person.userId),
          ),
          notExists(tx.select({ one: sql`1` }).from(memberships).where(eq(memberships.userId, users.id))),
        ),
      ),
    );
  }
  let files = 0;
  for (const { blobId } of blobs) {
    try {
      await vault.remove(tenantId, blobId);
      files += 1;
    } catch {
      // Unreadable without the data key that was just deleted; nothing to retry for.
    }
  }
  return { deleted: true, files };
}
