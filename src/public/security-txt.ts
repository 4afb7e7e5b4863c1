import type { Snapshot } from '../modules/publishing/snapshot.contract.js';
import { securityContact } from './pages/presentation.js';

/** security.txt asks for an expiry less than a year ahead; the file is re-rendered at least weekly. */
const EXPIRES_AFTER_MS = 180 * 86_400_000;

/**
 * RFC 9116 security.txt from the published profile's security contact (an e-mail address or an
 * https URL). Null when the trust center publishes no usable contact: then there is no file.
 */
export function renderSecurityTxt(snapshot: Snapshot, canonicalUrl: string, now: Date): string | null {
  const contact = securityContact(snapshot.content.profile.securityContact);
  if (!contact || contact.kind === 'text') return null;
  const expires = new Date(now.getTime() + EXPIRES_AFTER_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return [
    `# Security contact of the ${snapshot.content.profile.companyName.replace(/[\r\n]/g, ' ')} Trust Center`,
    `Contact: ${contact.href}`,
    `Expires: ${expires}`,
    `Canonical: ${canonicalUrl}`,
    'Preferred-Languages: en',
    '',
  ].join('\n');
}
