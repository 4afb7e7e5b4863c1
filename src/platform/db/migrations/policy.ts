/**
 * The one row-level-security shape every tenant table gets: RLS enabled and forced (so even the
 * table owner is filtered) and a single policy for attest_app keyed on the transaction-local
 * app.tenant_id. `nullif(..., '')` matters on pooled connections, where a reset setting reads as ''
 * rather than NULL; an unset tenant then matches no row instead of raising an error.
 */
export function tenantIsolation(table: string, privileges: string): string {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`bad table name ${table}`);
  return `
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ${table} TO attest_app
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT ${privileges} ON ${table} TO attest_app;
`;
}

/**
 * The tenant policy's expression as pg_policies prints it, compared without parentheses and
 * spaces (PostgreSQL versions print the same expression differently). Used by the catalog test
 * and the live tenant-isolation check.
 */
export const tenantPolicyExpression =
  "tenant_id=NULLIFcurrent_setting'app.tenant_id'::text,true,''::text::uuid";

export function normalizePolicyExpression(expression: string | null | undefined): string {
  return String(expression).replace(/[()\s]/g, '');
}
