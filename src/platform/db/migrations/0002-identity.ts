import { tenantIsolation } from './policy.js';

/**
 * Identity and access: users (platform-wide: one person may belong to several tenants), tenant
 * memberships and roles, invitations, browser sessions, API keys, JWT signing keys, login
 * throttling, TOTP recovery codes, tenant security settings and the audit log.
 *
 * Credentials are stored only as hashes (sessions, API keys, invitations, recovery codes: SHA-256
 * of a 256-bit random secret; passwords: argon2id) or sealed with the master key (TOTP secrets,
 * signing keys).
 */
export const sql = /* sql */ `
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
  password_hash text,
  totp_secret_sealed text,
  totp_enabled_at timestamptz,
  totp_last_step bigint,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_manages_users ON users TO attest_platform USING (true) WITH CHECK (true);
GRANT SELECT (id, email, totp_enabled_at, disabled_at, created_at) ON users TO attest_app;
GRANT SELECT, INSERT, UPDATE ON users TO attest_platform;

CREATE TABLE recovery_codes (
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash text NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (user_id, code_hash)
);
ALTER TABLE recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE recovery_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_manages_recovery_codes ON recovery_codes TO attest_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON recovery_codes TO attest_platform;

CREATE TABLE login_throttle (
  key text PRIMARY KEY CHECK (char_length(key) <= 100),
  failures integer NOT NULL DEFAULT 0,
  last_failure_at timestamptz NOT NULL DEFAULT now(),
  blocked_until timestamptz
);
ALTER TABLE login_throttle ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_throttle FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_manages_throttle ON login_throttle TO attest_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO attest_platform;

CREATE TABLE signing_keys (
  kid text PRIMARY KEY CHECK (kid ~ '^[A-Za-z0-9_-]{8,64}$'),
  public_jwk jsonb NOT NULL,
  private_key_sealed text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Signing stops at retired_at; verification continues until every token it signed has expired.
  retired_at timestamptz
);
ALTER TABLE signing_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE signing_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_manages_signing_keys ON signing_keys TO attest_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON signing_keys TO attest_platform;

CREATE TABLE tenant_settings (
  tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  session_idle_minutes integer NOT NULL DEFAULT 30 CHECK (session_idle_minutes BETWEEN 5 AND 1440),
  session_absolute_hours integer NOT NULL DEFAULT 12 CHECK (session_absolute_hours BETWEEN 1 AND 720),
  require_mfa boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE roles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
  permissions text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, key)
);

CREATE TABLE memberships (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (char_length(role) <= 40),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
  role text NOT NULL CHECK (char_length(role) <= 40),
  token_hash text NOT NULL UNIQUE,
  invited_by uuid,
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  idle_expires_at timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  client text CHECK (char_length(client) <= 64),
  user_agent text CHECK (char_length(user_agent) <= 200)
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  prefix text NOT NULL CHECK (char_length(prefix) <= 40),
  secret_hash text NOT NULL UNIQUE,
  scopes text[] NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at timestamptz,
  rotated_from uuid REFERENCES api_keys(id) ON DELETE SET NULL
);
CREATE INDEX api_keys_creator ON api_keys (tenant_id, created_by);

CREATE TABLE audit_events (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  seq bigint NOT NULL CHECK (seq >= 1),
  occurred_at timestamptz NOT NULL,
  actor_kind text NOT NULL CHECK (char_length(actor_kind) <= 20),
  actor_id text NOT NULL CHECK (char_length(actor_id) <= 100),
  action text NOT NULL CHECK (char_length(action) <= 80),
  target_type text CHECK (char_length(target_type) <= 40),
  target_id text CHECK (char_length(target_id) <= 100),
  client text CHECK (char_length(client) <= 64),
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_events_time ON audit_events (tenant_id, occurred_at);

-- A tenant sees the users who are its members (memberships is itself filtered to the tenant),
-- and only their non-secret columns.
CREATE POLICY members_of_tenant ON users FOR SELECT TO attest_app
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id));

${tenantIsolation('tenant_settings', 'SELECT, INSERT, UPDATE')}
${tenantIsolation('roles', 'SELECT, INSERT, UPDATE, DELETE')}
${tenantIsolation('memberships', 'SELECT, INSERT, UPDATE, DELETE')}
-- Disabling a user must reach every tenant the user belongs to.
CREATE POLICY platform_reads_memberships ON memberships FOR SELECT TO attest_platform USING (true);
GRANT SELECT (tenant_id, user_id) ON memberships TO attest_platform;
${tenantIsolation('invitations', 'SELECT, INSERT, UPDATE, DELETE')}
${tenantIsolation('sessions', 'SELECT, INSERT, UPDATE, DELETE')}
${tenantIsolation('api_keys', 'SELECT, INSERT, UPDATE')}
-- The audit log is append-only for the application: no UPDATE, no DELETE.
${tenantIsolation('audit_events', 'SELECT, INSERT')}
`;
