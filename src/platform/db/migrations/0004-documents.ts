import { tenantIsolation } from './policy.js';

/**
 * Documents and access to them: tenants' data keys (envelope encryption of blobs), documents and
 * their versions, the download log, versioned NDA texts, access rules, access requests, NDA
 * acceptances, grants and visitor sessions. The download log, NDA texts and acceptances are
 * append-only for the application (no UPDATE, no DELETE).
 */
export const sql = /* sql */ `
CREATE TABLE tenant_keys (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL UNIQUE REFERENCES tenants(id) ON DELETE CASCADE,
  sealed_key text NOT NULL CHECK (char_length(sealed_key) <= 300),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
  category text NOT NULL
    CHECK (category IN ('certification_report', 'pentest', 'policy', 'legal', 'other')),
  access_level text NOT NULL CHECK (access_level IN ('public', 'gated', 'private')),
  expires_on date,
  created_by text NOT NULL CHECK (char_length(created_by) <= 200),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (tenant_id, id)
);
CREATE INDEX documents_tenant ON documents (tenant_id, created_at);

CREATE TABLE document_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  document_id uuid NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  blob_id uuid NOT NULL UNIQUE,
  filename text NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 200),
  media_type text NOT NULL CHECK (char_length(media_type) <= 100),
  size_bytes bigint NOT NULL CHECK (size_bytes > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  uploaded_by text NOT NULL CHECK (char_length(uploaded_by) <= 200),
  uploaded_at timestamptz NOT NULL,
  UNIQUE (document_id, version),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE
);

-- Kept when a document is deleted: who downloaded what stays answerable.
CREATE TABLE document_downloads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  document_id uuid NOT NULL,
  version_id uuid NOT NULL,
  version integer NOT NULL,
  grant_id uuid,
  actor_kind text NOT NULL CHECK (char_length(actor_kind) <= 20),
  actor_id text NOT NULL CHECK (char_length(actor_id) <= 100),
  watermarked boolean NOT NULL,
  client text CHECK (char_length(client) <= 64),
  downloaded_at timestamptz NOT NULL
);
CREATE INDEX document_downloads_document ON document_downloads (tenant_id, document_id, downloaded_at);

CREATE TABLE nda_texts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 50000),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  created_by text NOT NULL CHECK (char_length(created_by) <= 200),
  created_at timestamptz NOT NULL,
  UNIQUE (tenant_id, version),
  UNIQUE (tenant_id, id)
);

CREATE TABLE access_rules (
  tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  auto_approve_domains text[] NOT NULL DEFAULT '{}' CHECK (cardinality(auto_approve_domains) <= 200),
  auto_deny_domains text[] NOT NULL DEFAULT '{}' CHECK (cardinality(auto_deny_domains) <= 200),
  grant_days integer NOT NULL DEFAULT 30 CHECK (grant_days BETWEEN 1 AND 365),
  updated_at timestamptz NOT NULL
);

CREATE TABLE access_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  email text NOT NULL CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
  company text NOT NULL CHECK (char_length(company) BETWEEN 1 AND 200),
  reason text NOT NULL CHECK (char_length(reason) <= 2000),
  document_ids uuid[] NOT NULL CHECK (cardinality(document_ids) BETWEEN 1 AND 200),
  status text NOT NULL CHECK (status IN ('pending', 'approved', 'denied')),
  decision_source text CHECK (decision_source IN ('rule', 'staff')),
  decided_by text CHECK (char_length(decided_by) <= 200),
  decided_at timestamptz,
  client text CHECK (char_length(client) <= 64),
  created_at timestamptz NOT NULL,
  UNIQUE (tenant_id, id)
);
CREATE INDEX access_requests_status ON access_requests (tenant_id, status, created_at);

CREATE TABLE nda_acceptances (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  request_id uuid NOT NULL,
  nda_text_id uuid NOT NULL,
  nda_version integer NOT NULL,
  nda_sha256 text NOT NULL CHECK (nda_sha256 ~ '^[0-9a-f]{64}$'),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  email text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  company text NOT NULL CHECK (char_length(company) BETWEEN 1 AND 200),
  client text CHECK (char_length(client) <= 64),
  accepted_at timestamptz NOT NULL,
  UNIQUE (request_id),
  FOREIGN KEY (tenant_id, request_id) REFERENCES access_requests (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, nda_text_id) REFERENCES nda_texts (tenant_id, id)
);

CREATE TABLE access_grants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  request_id uuid NOT NULL,
  email text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  company text NOT NULL CHECK (char_length(company) BETWEEN 1 AND 200),
  document_ids uuid[] NOT NULL CHECK (cardinality(document_ids) BETWEEN 1 AND 200),
  link_token_hash text NOT NULL UNIQUE CHECK (link_token_hash ~ '^[0-9a-f]{64}$'),
  link_used_at timestamptz,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  created_by text NOT NULL CHECK (char_length(created_by) <= 200),
  created_at timestamptz NOT NULL,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, request_id) REFERENCES access_requests (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX access_grants_tenant ON access_grants (tenant_id, created_at);

CREATE TABLE visitor_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  grant_id uuid NOT NULL,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL,
  client text CHECK (char_length(client) <= 64),
  FOREIGN KEY (tenant_id, grant_id) REFERENCES access_grants (tenant_id, id) ON DELETE CASCADE
);

${tenantIsolation('tenant_keys', 'SELECT, INSERT')}
-- Crypto-shredding (and reading keys for key rotation) is platform work.
CREATE POLICY platform_manages_tenant_keys ON tenant_keys TO attest_platform USING (true) WITH CHECK (true);
GRANT SELECT, DELETE ON tenant_keys TO attest_platform;
${tenantIsolation('documents', 'SELECT, INSERT, UPDATE, DELETE')}
${tenantIsolation('document_versions', 'SELECT, INSERT, DELETE')}
${tenantIsolation('document_downloads', 'SELECT, INSERT')}
${tenantIsolation('nda_texts', 'SELECT, INSERT')}
${tenantIsolation('access_rules', 'SELECT, INSERT, UPDATE')}
${tenantIsolation('access_requests', 'SELECT, INSERT, UPDATE')}
${tenantIsolation('nda_acceptances', 'SELECT, INSERT')}
${tenantIsolation('access_grants', 'SELECT, INSERT, UPDATE')}
${tenantIsolation('visitor_sessions', 'SELECT, INSERT, DELETE')}
`;
