import { and, eq, isNotNull, lt, or } from 'drizzle-orm';
import type { SealedColumn } from '../../platform/crypto/rewrap.js';
import type { Tx } from '../../platform/db/client.js';
import { withPlatform } from '../../platform/db/tenancy.js';
import { invitations, users } from './accounts.schema.js';
import { totpPurpose } from './mfa.service.js';

/*
 * The accounts module's background work, which the worker and `attest master-key rewrap` run: the
 * retention of closed invitations and the re-sealing of TOTP secrets.
 */

const DAY = 86_400_000;

/** Invitations are kept this many days after they were accepted, revoked or expired. */
export const CLOSED_INVITATION_DAYS = 7;

/** Deletes, in one tenant's transaction, the invitations closed for longer than their retention. */
export async function deleteClosedInvitations(tx: Tx, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - CLOSED_INVITATION_DAYS * DAY);
  const closed = await tx
    .delete(invitations)
    .where(
      or(
        lt(invitations.acceptedAt, cutoff),
        lt(invitations.revokedAt, cutoff),
        lt(invitations.expiresAt, cutoff),
      ),
    )
    .returning({ id: invitations.id });
  return closed.length;
}

/** Users' TOTP secrets, for the master key rotation. */
export const totpSecretsSealed: SealedColumn = {
  name: 'totpSecrets',
  async rewrap(db, sealer, dryRun) {
    const secrets = await withPlatform(db, (tx) =>
      tx
        .select({ id: users.id, sealed: users.totpSecretSealed })
        .from(users)
        .where(isNotNull(users.totpSecretSealed)),
    );
    let count = 0;
    for (const { id, sealed } of secrets) {
      if (!sealed) continue;
      const resealed = sealer.rewrap(sealed, totpPurpose(id));
      if (!resealed) continue;
      if (dryRun) {
        count += 1;
        continue;
      }
      const updated = await withPlatform(db, (tx) =>
        tx
          .update(users)
          .set({ totpSecretSealed: resealed })
          .where(and(eq(users.id, id), eq(users.totpSecretSealed, sealed)))
          .returning({ id: users.id }),
      );
      count += updated.length;
    }
    return count;
  },
};
