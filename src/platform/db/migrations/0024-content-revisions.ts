import { tenantIsolation } from './policy.js';

/**
 * A counter per tenant that moves with every change to its controls and categories, in the same
 * transaction as the change. The API's controls list is kept in memory per process under the
 * revision it was read at, and each request asks PostgreSQL for the current revision in the same
 * statement that would build the list: an unchanged list costs a primary-key read instead of
 * the JSON of a hundred controls (decision 0032). Every tenant has its row from its creation on,
 * so the triggers only ever update it: a tenant's deletion cascades to its content and to this
 * row, and an update that finds no row (the row went first) is simply nothing. The triggers run
 * as whoever changes the rows: the tenant's role, or the platform role when a tenant is created
 * or its deletion cascades, so both may write the counter (it holds no content).
 */
export const sql = /* sql */ `
CREATE TABLE content_revisions (
  tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  revision bigint NOT NULL DEFAULT 0
);
${tenantIsolation('content_revisions', 'SELECT, UPDATE')}
CREATE POLICY platform_keeps_content_revisions ON content_revisions TO attest_platform
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON content_revisions TO attest_platform;
INSERT INTO content_revisions (tenant_id) SELECT id FROM tenants;

CREATE FUNCTION content_revision_of_new_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO content_revisions (tenant_id) VALUES (NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER content_revision_of_new_tenant AFTER INSERT ON tenants
  FOR EACH ROW EXECUTE FUNCTION content_revision_of_new_tenant();

CREATE FUNCTION bump_content_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE content_revisions SET revision = revision + 1
  WHERE tenant_id = CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
  RETURN NULL;
END $$;
CREATE TRIGGER bump_content_revision AFTER INSERT OR UPDATE OR DELETE ON controls
  FOR EACH ROW EXECUTE FUNCTION bump_content_revision();
CREATE TRIGGER bump_content_revision AFTER INSERT OR UPDATE OR DELETE ON control_categories
  FOR EACH ROW EXECUTE FUNCTION bump_content_revision();
`;
