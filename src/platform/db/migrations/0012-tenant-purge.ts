/**
 * Deleting a tenant must never be blocked by its own rows. Every tenant table cascades from
 * `tenants`, but PostgreSQL checks a non-deferred NO ACTION foreign key at the end of each
 * cascaded statement: when `nda_texts` was emptied before `nda_acceptances` (the order is the
 * triggers'), the acceptances still pointed at their texts and the whole deletion failed. The key
 * stays NO ACTION, so an NDA text that someone accepted still cannot be deleted on its own, but it
 * is checked at commit, when the tenant's acceptances are gone too.
 *
 * A deletion that fails anyway is recorded on the tenant (when, and the database's error code,
 * constraint and table; never a value), for the operator and the data-deletion evidence check.
 */
export const sql = /* sql */ `
ALTER TABLE nda_acceptances DROP CONSTRAINT nda_acceptances_tenant_id_nda_text_id_fkey;
ALTER TABLE nda_acceptances ADD CONSTRAINT nda_acceptances_tenant_id_nda_text_id_fkey
  FOREIGN KEY (tenant_id, nda_text_id) REFERENCES nda_texts (tenant_id, id)
  ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE tenants ADD COLUMN deletion_failed_at timestamptz;
ALTER TABLE tenants ADD COLUMN deletion_error text CHECK (char_length(deletion_error) <= 300);
`;
