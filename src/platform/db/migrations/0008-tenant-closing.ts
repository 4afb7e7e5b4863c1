/**
 * Data deletion at contract end: a tenant that is closing is read-only until `deletion_due_at`,
 * when the worker deletes it (every tenant table cascades from `tenants`) and its files.
 */
export const sql = /* sql */ `
ALTER TABLE tenants DROP CONSTRAINT tenants_status_check;
ALTER TABLE tenants ADD CONSTRAINT tenants_status_check CHECK (status IN ('active', 'suspended', 'closing'));
ALTER TABLE tenants ADD COLUMN deletion_due_at timestamptz;
ALTER TABLE tenants ADD CONSTRAINT tenants_closing_has_date
  CHECK ((status = 'closing') = (deletion_due_at IS NOT NULL));
GRANT DELETE ON tenants TO attest_platform;
`;
