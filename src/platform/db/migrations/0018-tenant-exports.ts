import { tenantIsolation } from './policy.js';

/**
 * Tenant exports run by the worker (src/modules/tenant-export, decision 0026): the job's state and
 * progress, the sealed blobs its archive is stored in (chunk by chunk), and the single-use download
 * link (its SHA-256 only). The platform role finds work to run and archives to remove by ids,
 * states and dates; everything else is read under the tenant's row-level security.
 */
export const sql = /* sql */ `
CREATE TABLE tenant_exports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  requested_by text NOT NULL CHECK (char_length(requested_by) BETWEEN 1 AND 100),
  state text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'downloaded', 'expired')),
  run_id uuid,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  heartbeat_at timestamptz,
  files_done integer NOT NULL DEFAULT 0,
  files_total integer NOT NULL DEFAULT 0,
  bytes_done bigint NOT NULL DEFAULT 0,
  chunk_blob_ids uuid[] NOT NULL DEFAULT '{}',
  size_bytes bigint,
  sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  error text CHECK (char_length(error) <= 120),
  link_token_hash text UNIQUE,
  link_expires_at timestamptz,
  link_used_at timestamptz,
  created_at timestamptz NOT NULL,
  finished_at timestamptz,
  expires_at timestamptz,
  archive_removed_at timestamptz
);
CREATE INDEX tenant_exports_open ON tenant_exports (state) WHERE state IN ('queued', 'running');
CREATE INDEX tenant_exports_recent ON tenant_exports (tenant_id, created_at DESC);
CREATE INDEX tenant_exports_to_remove ON tenant_exports (expires_at) WHERE archive_removed_at IS NULL;
${tenantIsolation('tenant_exports', 'SELECT, INSERT, UPDATE')}
CREATE POLICY platform_finds_export_work ON tenant_exports FOR SELECT TO attest_platform USING (true);
GRANT SELECT (id, tenant_id, state, heartbeat_at, expires_at, archive_removed_at) ON tenant_exports TO attest_platform;
`;
