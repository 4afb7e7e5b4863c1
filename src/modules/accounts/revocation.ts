import { and, eq, isNull } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Tx } from '../../platform/db/client.js';
import { apiKeys } from '../api-keys/api-keys.schema.js';
import { sessions } from '../sessions/sessions.schema.js';

/**
 * Ends a person's access to one tenant at once: every session is revoked, and so is every API key
 * they created. Runs inside the tenant transaction that removes or demotes them, so the change and
 * the revocation commit together; the next request with any of those credentials fails.
 */
export async function revokeAccessInTenant(
  tx: Tx,
  userId: string,
  clock: Clock,
  options: { keepApiKeys?: boolean } = {},
): Promise<{ sessions: number; apiKeys: number }> {
  const now = clock();
  const endedSessions = await tx
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  const revokedKeys = options.keepApiKeys
    ? []
    : await tx
        .update(apiKeys)
        .set({ revokedAt: now })
        .where(and(eq(apiKeys.createdBy, userId), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
  return { sessions: endedSessions.length, apiKeys: revokedKeys.length };
}
