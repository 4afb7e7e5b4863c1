import type { Clock } from '../../platform/clock.js';
import type { Tx } from '../../platform/db/client.js';
import { revokeKeysCreatedBy } from '../api-keys/api-keys.service.js';
import { revokeSessionsOf } from '../sessions/sessions.service.js';

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
  const endedSessions = await revokeSessionsOf(tx, userId, now);
  const revokedKeys = options.keepApiKeys ? [] : await revokeKeysCreatedBy(tx, userId, now);
  return { sessions: endedSessions.length, apiKeys: revokedKeys.length };
}
