import { and, eq, lte } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import { systemClock } from '../../platform/clock.js';
import type { Database } from '../../platform/db/client.js';
import { withPlatform, withTenant } from '../../platform/db/tenancy.js';
import type { BlobVault } from '../../platform/storage/blob-vault.js';
import { deleteUsersWithoutMembership, memberIdsOfTenant } from '../accounts/account-lookups.service.js';
import { documentBlobIds } from '../documents/documents.service.js';
import { tenants } from './tenants.schema.js';

/** Why a deletion failed, as the database said it: names only, never a value (no DETAIL, no message). */
export interface DeletionFailure {
  /** The SQLSTATE, e.g. 23503 (foreign_key_violation); 'unknown' for an error that is not the database's. */
  code: string;
  constraint: string | null;
  table: string | null;
}

/** The tenant could not be deleted; it is still there, with all its data. */
export class TenantDeletionError extends Error {
  override name = 'TenantDeletionError';
  constructor(readonly failure: DeletionFailure) {
    super(`deleting the tenant failed: ${describeDeletionFailure(failure)}`);
  }
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
const IDENTIFIER = /^[a-z_][a-z0-9_$]{0,62}$/i;

/** The database error's code, constraint and table, from the error or the driver error it wraps. */
export function deletionFailureOf(error: unknown): DeletionFailure {
  if (error instanceof TenantDeletionError) return error.failure;
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const { code, constraint, table } = current as { code?: unknown; constraint?: unknown; table?: unknown };
    if (typeof code === 'string' && SQLSTATE.test(code)) {
      const name = (value: unknown) => (typeof value === 'string' && IDENTIFIER.test(value) ? value : null);
      return { code, constraint: name(constraint), table: name(table) };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return { code: 'unknown', constraint: null, table: null };
}

/** One line for the tenant row, the CLI and the logs: "23503 nda_acceptances_…_fkey on nda_acceptances". */
export function describeDeletionFailure(failure: DeletionFailure): string {
  return [failure.code, failure.constraint ?? undefined, failure.table ? `on ${failure.table}` : undefined]
    .filter(Boolean)
    .join(' ');
}

/**
 * Deletes a tenant and everything it holds: its row goes, and with it every tenant table's rows
 * (each cascades from `tenants`), its data key among them; the accounts of its people who belong
 * to no other trust center go too, so its files are unreadable from that
 * moment on, in backups too. Then the files themselves are removed; one that cannot be (a crash, a
 * storage error) stays behind as unreadable ciphertext. Returns how many files were removed.
 *
 * When the database refuses the deletion, the tenant keeps everything, the failure (code,
 * constraint, table) is recorded on its row for `attest tenant list` and the data-deletion
 * evidence check, and a TenantDeletionError says the same.
 */
export async function deleteTenantNow(
  db: Database,
  vault: BlobVault,
  tenantId: string,
  /** Delete only a tenant that is closing with its deletion date at or before this (the worker). */
  options: { dueBy?: Date; clock?: Clock } = {},
): Promise<{ deleted: boolean; files: number }> {
  const clock = options.clock ?? systemClock;
  const blobs = await withTenant(db, tenantId, (tx) => documentBlobIds(tx));
  const people = await withPlatform(db, (tx) => memberIdsOfTenant(tx, tenantId));
  let deleted: { id: string }[];
  try {
    // One statement that cascades through every tenant table: the long statement timeout (decision 0023).
    deleted = await withPlatform(db.forLongWork(), (tx) =>
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
  } catch (error) {
    const failure = deletionFailureOf(error);
    await withPlatform(db, (tx) =>
      tx
        .update(tenants)
        .set({ deletionFailedAt: clock(), deletionError: describeDeletionFailure(failure).slice(0, 300) })
        .where(eq(tenants.id, tenantId)),
    );
    throw new TenantDeletionError(failure);
  }
  if (deleted.length === 0) return { deleted: false, files: 0 };
  // Its people's accounts go too, unless they still belong to another trust center.
  if (people.length > 0) await withPlatform(db, (tx) => deleteUsersWithoutMembership(tx, people));
  let files = 0;
  for (const blobId of blobs) {
    try {
      await vault.remove(tenantId, blobId);
      files += 1;
    } catch {
      // Unreadable without the data key that was just deleted; nothing to retry for.
    }
  }
  return { deleted: true, files };
}
