import { tenantIsolation } from './policy.js';

/**
 * Updates and subscribers: update posts and incidents, announced subprocessor changes, e-mail
 * subscribers (the only place their addresses are stored), the notices fanned out to them, the
 * per-tenant notification settings, and the rate-limit counters of the public forms.
 *
 * The scheduler finds due work across tenants as attest_platform through column grants that show
 * no content and no address (tenant id, state, dates); the work itself runs per tenant under RLS.
 */
export const sql = /* sql */ `
CREATE TABLE notification_settings (
  tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  notice_period_days integer NOT NULL DEFAULT 30 CHECK (notice_period_days BETWEEN 1 AND 365),
  sender_name text NOT NULL DEFAULT '' CHECK (char_length(sender_name) <= 100),
  reply_to text CHECK (char_length(reply_to) <= 254),
  -- HMAC key of the one-click unsubscribe links, sealed with the master key.
  list_key_sealed text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE incidents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  detected_at timestamptz NOT NULL,
  customers_notified_at timestamptz CHECK (customers_notified_at IS NULL OR customers_notified_at >= detected_at),
  resolved_at timestamptz CHECK (resolved_at IS NULL OR resolved_at >= detected_at),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
CREATE INDEX incidents_detected ON incidents (tenant_id, detected_at DESC);

CREATE TABLE update_posts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('incident', 'subprocessor', 'certification', 'policy', 'advisory', 'general')),
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  body text NOT NULL CHECK (char_length(body) <= 20000),
  incident_id uuid,
  published_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, id) ON DELETE SET NULL (incident_id)
);
CREATE INDEX update_posts_published ON update_posts (tenant_id, published_at DESC) WHERE published_at IS NOT NULL;

CREATE TABLE subprocessor_changes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('add', 'replace', 'remove')),
  -- The subprocessor that goes (replace, remove), by its key in the list.
  subprocessor_key text CHECK (subprocessor_key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
  -- The subprocessor that comes (add, replace), as it will be published.
  subprocessor jsonb CHECK (subprocessor IS NULL OR jsonb_typeof(subprocessor) = 'object'),
  summary text NOT NULL CHECK (char_length(summary) <= 2000),
  effective_on date NOT NULL,
  announced_at timestamptz NOT NULL,
  state text NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'applied', 'cancelled')),
  applied_at timestamptz,
  update_id uuid,
  CHECK ((kind = 'add') = (subprocessor_key IS NULL)),
  CHECK ((kind = 'remove') = (subprocessor IS NULL)),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, update_id) REFERENCES update_posts (tenant_id, id) ON DELETE SET NULL (update_id)
);
CREATE INDEX subprocessor_changes_due ON subprocessor_changes (effective_on) WHERE state = 'scheduled';

CREATE TABLE subscribers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
  topics text[] NOT NULL DEFAULT '{}' CHECK (topics <@ ARRAY['subprocessors', 'incidents', 'all']),
  confirmed_at timestamptz,
  -- A pending confirmation: the SHA-256 of its single-use token and the topics it will set.
  confirm_token_hash text UNIQUE CHECK (confirm_token_hash ~ '^[0-9a-f]{64}$'),
  confirm_topics text[] CHECK (confirm_topics <@ ARRAY['subprocessors', 'incidents', 'all']),
  confirm_expires_at timestamptz,
  created_at timestamptz NOT NULL,
  UNIQUE (tenant_id, email)
);
-- Fan-out reads confirmed subscribers in id order, a batch at a time (keyset pagination).
CREATE INDEX subscribers_confirmed ON subscribers (tenant_id, id) WHERE confirmed_at IS NOT NULL;
CREATE INDEX subscribers_unconfirmed ON subscribers (created_at) WHERE confirmed_at IS NULL;

CREATE TABLE notices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  topic text NOT NULL CHECK (topic IN ('subprocessors', 'incidents', 'general')),
  update_id uuid,
  subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 300),
  body text NOT NULL CHECK (char_length(body) <= 30000),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
  -- The last subscriber id whose mail is in the outbox: a rerun continues after it.
  cursor uuid,
  recipients integer NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  last_error text CHECK (char_length(last_error) <= 500),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  completed_at timestamptz,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, update_id) REFERENCES update_posts (tenant_id, id) ON DELETE SET NULL (update_id)
);
CREATE INDEX notices_open ON notices (updated_at) WHERE state IN ('pending', 'sending');

CREATE TABLE form_rate_limits (
  key text PRIMARY KEY CHECK (char_length(key) <= 120),
  window_start timestamptz NOT NULL,
  hits integer NOT NULL
);
ALTER TABLE form_rate_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE form_rate_limits FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_counts_form_hits ON form_rate_limits TO attest_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON form_rate_limits TO attest_platform;

${tenantIsolation('notification_settings', 'SELECT, INSERT, UPDATE')}
${tenantIsolation('incidents', 'SELECT, INSERT, UPDATE, DELETE')}
${tenantIsolation('update_posts', 'SELECT, INSERT, UPDATE, DELETE')}
${tenantIsolation('subprocessor_changes', 'SELECT, INSERT, UPDATE')}
${tenantIsolation('subscribers', 'SELECT, INSERT, UPDATE, DELETE')}
${tenantIsolation('notices', 'SELECT, INSERT, UPDATE')}

-- The scheduler's cross-tenant view of due work: which tenant, what state, which date. No content.
CREATE POLICY platform_finds_due_changes ON subprocessor_changes FOR SELECT TO attest_platform USING (true);
GRANT SELECT (tenant_id, state, effective_on) ON subprocessor_changes TO attest_platform;
CREATE POLICY platform_finds_stale_subscribers ON subscribers FOR SELECT TO attest_platform USING (true);
GRANT SELECT (tenant_id, confirmed_at, created_at, confirm_expires_at) ON subscribers TO attest_platform;
CREATE POLICY platform_finds_open_notices ON notices FOR SELECT TO attest_platform USING (true);
GRANT SELECT (id, tenant_id, state, updated_at) ON notices TO attest_platform;
`;
