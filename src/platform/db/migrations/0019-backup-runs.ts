/**
 * Backups and restore drills (decision 0027): one row per backup the worker took and per drill it
 * ran, with what it found (sizes, counts, the measured restore time). The metrics and the
 * `backup-freshness` and `restore-drill` evidence checks read them. Platform-side, no tenant data.
 */
export const sql = /* sql */ `
CREATE TABLE backup_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('backup', 'drill')),
  archive text NOT NULL CHECK (length(archive) <= 200),
  archive_created_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  ok boolean NOT NULL,
  facts jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX backup_runs_latest ON backup_runs (kind, finished_at DESC);
ALTER TABLE backup_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE backup_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_backup_runs ON backup_runs TO attest_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON backup_runs TO attest_platform;
`;
