import { sql } from 'drizzle-orm';
import { resultRows } from '../../../platform/db/client.js';
import { normalizePolicyExpression, tenantPolicyExpression } from '../../../platform/db/migrations/policy.js';
import { withPlatform } from '../../../platform/db/tenancy.js';
import { type EvidenceCheck, plural } from './check.js';

const APPLICATION_ROLES = ['attest_app', 'attest_platform'];

/**
 * The same catalog facts the tenancy test asserts (src/platform/db/tenancy.test.ts), read from the
 * running database as attest_platform: pg_class, pg_policies and pg_roles are readable by any role.
 */
export const tenantIsolation: EvidenceCheck = async ({ db }) => {
  const { tables, policies, roles } = await withPlatform(db, async (tx) => ({
    tables: resultRows<{ table: string; rls: boolean; forced: boolean }>(
      await tx.execute(sql`
        select c.relname as table, c.relrowsecurity as rls, c.relforcerowsecurity as forced
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r'
          and exists (select 1 from pg_attribute a
                      where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)`),
    ),
    policies: resultRows<{ table: string; roles: string[] | string; qual: string; check: string }>(
      await tx.execute(sql`
        select tablename as table, roles, qual, with_check as check from pg_policies
        where schemaname = 'public' and policyname = 'tenant_isolation'`),
    ),
    roles: resultRows<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean }>(
      await tx.execute(
        sql`select rolname, rolsuper, rolbypassrls from pg_roles where rolname in ('attest_app', 'attest_platform')`,
      ),
    ),
  }));
  const protectedTables = tables.filter((table) => {
    const policy = policies.find((candidate) => candidate.table === table.table);
    return (
      table.rls === true &&
      table.forced === true &&
      policy !== undefined &&
      normalizePolicyExpression(policy.qual) === tenantPolicyExpression &&
      normalizePolicyExpression(policy.check) === tenantPolicyExpression &&
      String(policy.roles).includes('attest_app')
    );
  }).length;
  const unprotected = tables.length - protectedTables;
  const missingRoles = APPLICATION_ROLES.filter(
    (name) => !roles.some((role) => role.rolname === name),
  ).length;
  const privileged = roles.filter((role) => role.rolsuper || role.rolbypassrls).length;
  const facts = {
    tenantTables: tables.length,
    forcedWithPolicy: protectedTables,
    applicationRoles: roles.length,
    privilegedRoles: privileged,
  };
  if (tables.length === 0 || missingRoles > 0) {
    return {
      status: 'fail',
      summary: 'The tenant tables or the application roles could not be found in the database catalog.',
      facts,
    };
  }
  if (unprotected > 0 || privileged > 0) {
    const problems = [
      unprotected > 0 &&
        `${unprotected} of ${plural(tables.length, 'tenant table')} lack forced row-level security or the tenant policy`,
      privileged > 0 &&
        `${plural(privileged, 'application role')} can bypass row-level security or ${privileged === 1 ? 'is a superuser' : 'are superusers'}`,
    ].filter(Boolean);
    return { status: 'fail', summary: `${problems.join('; ')}.`, facts };
  }
  return {
    status: 'pass',
    summary: `${protectedTables} of ${plural(tables.length, 'tenant table')} have forced row-level security with the tenant policy; neither application role is a superuser or bypasses row-level security.`,
    facts,
  };
};
