import { tenantIsolation } from './policy.js';

/**
 * Tenants, draft trust-center content and published snapshots.
 *
 * Two roles carry all application work (the connecting user only switches into them):
 * - attest_app: tenant work; every tenant table has forced RLS keyed on app.tenant_id.
 * - attest_platform: cross-tenant platform work (provisioning, host and slug lookup), on the
 *   tenants table only.
 */
export const sql = /* sql */ `
DO $$ BEGIN CREATE ROLE attest_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE attest_platform NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT attest_app, attest_platform TO %I', current_user);
  END IF;
END $$;
GRANT USAGE ON SCHEMA public TO attest_app, attest_platform;

CREATE TABLE tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  custom_domain text UNIQUE CHECK (custom_domain ~ '^[a-z0-9.-]{1,253}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_reads_itself ON tenants FOR SELECT TO attest_app
  USING (id = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY platform_manages_tenants ON tenants TO attest_platform USING (true) WITH CHECK (true);
GRANT SELECT ON tenants TO attest_app;
GRANT SELECT, INSERT, UPDATE ON tenants TO attest_platform;

CREATE TABLE trust_profiles (
  tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  company_name text NOT NULL CHECK (char_length(company_name) <= 200),
  tagline text NOT NULL CHECK (char_length(tagline) <= 300),
  intro text NOT NULL CHECK (char_length(intro) <= 5000),
  security_contact text NOT NULL CHECK (char_length(security_contact) <= 320),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE control_categories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
  description text NOT NULL CHECK (char_length(description) <= 2000),
  position integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, key),
  UNIQUE (tenant_id, id)
);

CREATE TABLE controls (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  category_id uuid NOT NULL,
  key text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 160),
  description text NOT NULL CHECK (char_length(description) <= 4000),
  status text NOT NULL CHECK (status IN ('implemented', 'in_progress', 'planned', 'not_applicable')),
  position integer NOT NULL,
  last_reviewed_on date,
  review_interval_days integer NOT NULL DEFAULT 365 CHECK (review_interval_days BETWEEN 1 AND 3660),
  framework_refs jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(framework_refs) = 'array'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, key),
  -- A control can only sit in a category of its own tenant.
  FOREIGN KEY (tenant_id, category_id) REFERENCES control_categories (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX controls_category ON controls (tenant_id, category_id, position);

CREATE TABLE faq_entries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
  question text NOT NULL CHECK (char_length(question) BETWEEN 1 AND 300),
  answer text NOT NULL CHECK (char_length(answer) <= 5000),
  position integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, key)
);

CREATE TABLE subprocessors (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 160),
  legal_entity text NOT NULL CHECK (char_length(legal_entity) <= 300),
  purpose text NOT NULL CHECK (char_length(purpose) <= 1000),
  data_processed text NOT NULL CHECK (char_length(data_processed) <= 1000),
  location text NOT NULL CHECK (char_length(location) <= 200),
  transfer_safeguards text NOT NULL CHECK (char_length(transfer_safeguards) <= 1000),
  website text CHECK (char_length(website) <= 2048),
  position integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, key)
);

CREATE TABLE snapshots (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  content jsonb NOT NULL,
  content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  published_at timestamptz NOT NULL DEFAULT now(),
  published_by text NOT NULL CHECK (char_length(published_by) <= 200),
  UNIQUE (tenant_id, version)
);
CREATE INDEX snapshots_published_at ON snapshots (tenant_id, published_at);

-- What was published stays as it was published: "what did we claim on a given day?"
CREATE FUNCTION attest_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'snapshots are immutable' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER snapshots_immutable BEFORE UPDATE ON snapshots
  FOR EACH ROW EXECUTE FUNCTION attest_refuse_update();

${tenantIsolation('trust_profiles', 'SELECT, INSERT, UPDATE, DELETE')}
${tenantIsolation('control_categories', 'SELECT, INSERT, UPDATE, DELETE')}
${tenantIsolation('controls', 'SELECT, INSERT, UPDATE, DELETE')}
${tenantIsolation('faq_entries', 'SELECT, INSERT, UPDATE, DELETE')}
${tenantIsolation('subprocessors', 'SELECT, INSERT, UPDATE, DELETE')}
${tenantIsolation('snapshots', 'SELECT, INSERT')}
`;
