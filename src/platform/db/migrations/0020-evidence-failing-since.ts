/**
 * A control backed by checks shows publicly whether its evidence holds: each result remembers
 * since when its check has been failing (the first failing result after a pass; null while it
 * passes or does not apply), so the pages, the console and the staff's mails can say since when.
 */
export const sql = /* sql */ `
ALTER TABLE evidence_results ADD COLUMN failing_since timestamptz;
UPDATE evidence_results SET failing_since = checked_at WHERE status IN ('fail', 'error');
ALTER TABLE evidence_results ADD CONSTRAINT evidence_results_failing_since_check
  CHECK ((failing_since IS NULL) = (status IN ('pass', 'not_applicable')));
`;
