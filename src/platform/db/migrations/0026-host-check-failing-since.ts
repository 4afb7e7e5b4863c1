/**
 * Since when a host check has been failing, so that the published controls it backs can say
 * "verification failing since …" like those backed by built-in checks (decision 0028).
 *
 * Set by the worker on the first failing result ('fail' or 'error') after a pass or none, kept
 * while the check goes on failing, cleared by a pass. A check failing when this is applied counts
 * from its latest result (the earlier start is not known).
 */
export const sql = /* sql */ `
ALTER TABLE host_checks ADD COLUMN failing_since timestamptz;
UPDATE host_checks SET failing_since = last_checked_at WHERE last_status IN ('fail', 'error');
`;
