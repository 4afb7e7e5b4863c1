import { createHmac } from 'node:crypto';
import type { Sealer } from '../../platform/crypto/sealing.js';
import { constantTimeEqual } from '../../platform/crypto/tokens.js';
import type { Tx } from '../../platform/db/client.js';
import { readProfile } from '../content/profile.service.js';
import { readOwnTenant } from '../tenants/tenants.service.js';
import { readListKey, readNotificationSettings } from './notification-settings.service.js';

/** How a tenant's mails are signed and where their links point. */
export interface MailIdentity {
  /** The display name of the sender: the tenant's sender name, else its company name. */
  fromName: string;
  replyTo: string | undefined;
  companyName: string;
  /** The public site of the tenant: its custom domain, or /t/:slug on the platform's origin. */
  siteUrl: string;
  listKey: Buffer;
}

export async function readMailIdentity(
  tx: Tx,
  tenantId: string,
  { sealer, publicUrl }: { sealer: Sealer; publicUrl: string },
): Promise<MailIdentity> {
  const tenant = await readOwnTenant(tx);
  if (!tenant) throw new Error('tenant not visible in its own transaction');
  const profile = await readProfile(tx, tenantId);
  const settings = await readNotificationSettings(tx);
  const companyName = profile.companyName || tenant.name;
  return {
    fromName: (settings.senderName || `${companyName} Trust Center`).slice(0, 200),
    replyTo: settings.replyTo ?? undefined,
    companyName,
    siteUrl: tenant.customDomain ? `https://${tenant.customDomain}` : `${publicUrl}/t/${tenant.slug}`,
    listKey: await readListKey(tx, tenantId, sealer),
  };
}

/** The secret of a subscriber's one-click unsubscribe link: an HMAC of its id under the tenant's list key. */
export function unsubscribeToken(listKey: Buffer, subscriberId: string): string {
  return createHmac('sha256', listKey).update(`unsubscribe:${subscriberId}`).digest('base64url');
}

export function isUnsubscribeToken(listKey: Buffer, subscriberId: string, token: string): boolean {
  return constantTimeEqual(unsubscribeToken(listKey, subscriberId), token);
}

export function unsubscribeUrl(identity: MailIdentity, subscriberId: string): string {
  const query = new URLSearchParams({
    id: subscriberId,
    token: unsubscribeToken(identity.listKey, subscriberId),
  });
  return `${identity.siteUrl}/unsubscribe?${query}`;
}

/** RFC 8058 one-click unsubscribe: mail providers POST "List-Unsubscribe=One-Click" to the URL. */
export function listUnsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
