import { tenantIsolation } from './policy.js';

/**
 * Checks a tenant defines of its own hosts (TLS endpoint, HTTP headers, SSH authentication, DNS,
 * HTTP uptime), with their latest result, and the uptime probes' history.
 *
 * - `host_checks`: one row per check. `next_run_at` is when it is due; a worker claims due rows of
 *   a tenant with FOR UPDATE SKIP LOCKED and moves the time forward in the same statement, so with
 *   several workers each run happens once. The platform role reads only `tenant_id` and
 *   `next_run_at`, to find the tenants with work due (decision 0003).
 * - `host_check_samples`: one row per uptime probe, kept 90 days (the worker deletes older ones
 *   when it records the next), behind the 30- and 90-day availability on the status page.
 */
export const sql = /* sql */ `
CREATE TABLE host_checks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('tls-endpoint', 'http-headers', 'ssh-auth', 'dns', 'http-uptime')),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
  target text NOT NULL CHECK (char_length(target) BETWEEN 1 AND 2000),
  options jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(options) = 'object'),
  every_minutes integer NOT NULL CHECK (every_minutes BETWEEN 1 AND 1440),
  controls jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(controls) = 'array'),
  created_at timestamptz NOT NULL,
  next_run_at timestamptz NOT NULL,
  last_status text CHECK (last_status IN ('pass', 'fail', 'error')),
  last_summary text CHECK (char_length(last_summary) <= 300),
  last_facts jsonb CHECK (jsonb_typeof(last_facts) = 'object'),
  last_checked_at timestamptz,
  last_duration_ms integer CHECK (last_duration_ms >= 0),
  UNIQUE (tenant_id, id)
);
CREATE INDEX host_checks_due ON host_checks (next_run_at);
CREATE INDEX host_checks_tenant_due ON host_checks (tenant_id, next_run_at);
${tenantIsolation('host_checks', 'SELECT, INSERT, UPDATE, DELETE')}
GRANT SELECT (tenant_id, next_run_at) ON host_checks TO attest_platform;
CREATE POLICY platform_finds_due_checks ON host_checks FOR SELECT TO attest_platform USING (true);

CREATE TABLE host_check_samples (
  tenant_id uuid NOT NULL,
  check_id uuid NOT NULL,
  at timestamptz NOT NULL,
  up boolean NOT NULL,
  latency_ms integer CHECK (latency_ms >= 0),
  PRIMARY KEY (check_id, at),
  FOREIGN KEY (tenant_id, check_id) REFERENCES host_checks (tenant_id, id) ON DELETE CASCADE
);
${tenantIsolation('host_check_samples', 'SELECT, INSERT, DELETE')}
`;
