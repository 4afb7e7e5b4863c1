import { randomBytes } from 'node:crypto';
import type { TrustCenterDocument } from '../../src/modules/content/content.contract.js';
import { systemContext } from '../../src/platform/auth/context.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import type { Database } from '../../src/platform/db/client.js';
import { createServices } from '../../src/services.js';

/** A small but complete trust center, different per tenant so leaks are easy to spot. */
export function sampleDocument(label: string): TrustCenterDocument {
  return {
    version: 1,
    profile: {
      companyName: `${label} Corp`,
      tagline: `${label} tagline`,
      intro: `${label} intro`,
      securityContact: `security@${label.toLowerCase()}.example`,
    },
    categories: [
      {
        key: 'infrastructure',
        name: `${label} Infrastructure`,
        description: 'Servers and networks',
        controls: [
          {
            key: 'tls',
            title: `${label} TLS everywhere`,
            description: 'TLS 1.3',
            status: 'implemented',
            lastReviewedOn: '2026-10-01',
            reviewIntervalDays: 365,
            frameworks: [{ framework: 'ISO 27001:2022', reference: 'A.8.24' }],
          },
          {
            key: 'backups',
            title: `${label} Backups`,
            description: 'Daily',
            status: 'in_progress',
            lastReviewedOn: null,
            reviewIntervalDays: 90,
            frameworks: [],
          },
        ],
      },
    ],
    faq: [{ key: 'hosting', question: `Where does ${label} host data?`, answer: 'In the EU.' }],
    subprocessors: [
      {
        key: 'hoster',
        name: `${label} Hosting`,
        legalEntity: 'Hoster GmbH',
        purpose: 'Hosting',
        dataProcessed: 'All customer data',
        location: 'Germany',
        transferSafeguards: 'None needed',
        website: 'https://hoster.example',
      },
    ],
  };
}

/** Creates a tenant with sample content (published unless told otherwise). */
export async function seedTenant(
  db: Database,
  slug: string,
  options: { publish?: boolean; sealer?: Sealer } = {},
) {
  // Pass the sealer of any other services the test makes on this database: a publish seals the
  // tenant's signing key with it, and theirs must open it.
  const services = createServices({ db, sealer: options.sealer ?? new Sealer(randomBytes(32)) });
  const tenant = await services.tenants.create({ slug, name: `${slug} name` });
  const ctx = systemContext(tenant.id, 'test');
  await services.transfer.importDraft(ctx, sampleDocument(slug.toUpperCase()), {
    publish: options.publish ?? true,
  });
  return { tenant, ctx, services };
}
