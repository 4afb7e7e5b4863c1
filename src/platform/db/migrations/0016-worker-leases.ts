/**
 * Work that several worker processes share, done once (decision 0019).
 *
 * - `mail_outbox.lease_id`: the fencing token of the batch that holds a mail. A worker claims a
 *   batch by writing a fresh token on its rows; its renewals and its outcomes change only rows that
 *   still carry that token, so a worker whose lease ended cannot overwrite the next holder's result.
 *   The platform role (the mailer) reads and writes it; a tenant's transaction may put its own
 *   failed mail back in line (the console's re-send), which clears it.
 * - `worker_runs`: when each periodic job (retention, evidence) last started, whichever worker ran
 *   it. A worker runs a job only if it moves that time forward past the job's period, in one
 *   statement, so two workers ticking together run it once. Platform-side, no tenant data.
 */
export const sql = /* sql */ `
ALTER TABLE mail_outbox ADD COLUMN lease_id uuid;
-- Renewals and outcomes find a batch by its token; only held mails carry one.
CREATE INDEX mail_outbox_lease ON mail_outbox (lease_id) WHERE lease_id IS NOT NULL;
GRANT SELECT (lease_id), UPDATE (lease_id) ON mail_outbox TO attest_platform;
GRANT UPDATE (status, attempts, next_attempt_at, last_error, lease_id) ON mail_outbox TO attest_app;

CREATE TABLE worker_runs (
  job text PRIMARY KEY CHECK (job ~ '^[a-z][a-z0-9-]{0,59}$'),
  last_run_at timestamptz NOT NULL
);
ALTER TABLE worker_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE worker_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_runs_jobs ON worker_runs TO attest_platform USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON worker_runs TO attest_platform;
`;
