import { integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { TrustPublicJwk } from './trust.contract.js';

/** Each tenant's manifest signing keys (Ed25519); the private key only sealed by the master key. */
export const trustSigningKeys = pgTable(
  'trust_signing_keys',
  {
    tenantId: uuid('tenant_id').notNull(),
    kid: text('kid').notNull(),
    publicJwk: jsonb('public_jwk').$type<TrustPublicJwk>().notNull(),
    privateKeySealed: text('private_key_sealed').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
  },
  (table) => [primaryKey({ columns: [table.tenantId, table.kid] })],
);

/** Signed manifests, one per number per tenant: immutable (the app role may only insert and read). */
export const trustManifests = pgTable(
  'trust_manifests',
  {
    tenantId: uuid('tenant_id').notNull(),
    number: integer('number').notNull(),
    snapshotVersion: integer('snapshot_version').notNull(),
    /** The exact bytes that were signed (canonical JSON), served as they are. */
    manifest: text('manifest').notNull(),
    manifestSha256: text('manifest_sha256').notNull(),
    jws: text('jws').notNull(),
    kid: text('kid').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.tenantId, table.number] })],
);
