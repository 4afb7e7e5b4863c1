/**
 * The API's per-minute counters, shared by every web process (decision 0012): one row per
 * counted key (`api_key:<id>`, `user:<id>`, `tenant:<id>`) holding its current fixed window,
 * which starts at the key's first request and restarts on the first request after it ends.
 * Platform-side and without a tenant_id column: a row holds an opaque key and a count, no tenant
 * data, and lives at most a few minutes (the scheduler sweeps ended windows), so a purged
 * tenant's counter goes with the next sweep instead of being walked by the purge.
 */
export const sql = /* sql */ `
CREATE TABLE api_rate_limits (
  key text PRIMARY KEY CHECK (length(key) <= 120),
  window_start timestamptz NOT NULL,
  hits integer NOT NULL CHECK (hits >= 1)
);
CREATE INDEX api_rate_limits_window_start ON api_rate_limits (window_start);
ALTER TABLE api_rate_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_rate_limits FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_manages_api_rate_limits ON api_rate_limits TO attest_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON api_rate_limits TO attest_platform;
`;
