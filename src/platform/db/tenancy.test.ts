import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { seedTenant } from '../../../test/support/fixtures.js';
import {
  controlCategories,
  controls,
  faqEntries,
  subprocessors,
  trustProfiles,
} from '../../modules/content/content.schema.js';
import { snapshots } from '../../modules/publishing/publishing.schema.js';
import { type Database, resultRows } from './client.js';
import { normalizePolicyExpression, tenantPolicyExpression } from './migrations/policy.js';
import { literal, platformStatement, withPlatform, withTenant } from './tenancy.js';

/**
 * Everything attest_platform may do, as docs/decisions/0003 lists it: whole platform tables (no
 * tenant_id), and on tenant tables only the columns cross-tenant work needs. A new grant fails here
 * until the decision and this list say why.
 */
const platformGrants = [
  // Platform tables.
  ...['SELECT', 'INSERT', 'UPDATE', 'DELETE'].map((privilege) => `tenants: ${privilege}`),
  ...['SELECT', 'INSERT', 'UPDATE', 'DELETE'].map((privilege) => `users: ${privilege}`),
  ...['SELECT', 'INSERT', 'UPDATE', 'DELETE'].map((privilege) => `recovery_codes: ${privilege}`),
  // One second-factor attempt limit per person, whatever tenant the code is checked for.
  ...['SELECT', 'INSERT', 'UPDATE', 'DELETE'].map((privilege) => `second_factor_attempts: ${privilege}`),
  ...['SELECT', 'INSERT', 'UPDATE', 'DELETE'].map((privilege) => `login_throttle: ${privilege}`),
  ...['SELECT', 'INSERT', 'UPDATE', 'DELETE'].map((privilege) => `form_rate_limits: ${privilege}`),
  // The API's per-minute counters, shared by every web process (decision 0012).
  ...['SELECT', 'INSERT', 'UPDATE', 'DELETE'].map((privilege) => `api_rate_limits: ${privilege}`),
  ...['SELECT', 'INSERT', 'UPDATE'].map((privilege) => `signing_keys: ${privilege}`),
  // When each periodic job last started, so two workers run it once per period (decision 0019).
  ...['SELECT', 'INSERT', 'UPDATE'].map((privilege) => `worker_runs: ${privilege}`),
  // The content revision counters, moved by triggers also when a tenant is created or deleted (0024).
  ...['SELECT', 'INSERT', 'UPDATE'].map((privilege) => `content_revisions: ${privilege}`),
  // Backups and restore drills the worker ran, for the metrics and evidence (decision 0027).
  ...['SELECT', 'INSERT', 'DELETE'].map((privilege) => `backup_runs: ${privilege}`),
  // Tenant data keys: master-key rotation re-seals them; crypto-shredding deletes them.
  'tenant_keys: SELECT',
  'tenant_keys: DELETE',
  'tenant_keys.sealed_key: UPDATE',
  // Which tenants a person belongs to (disabling a user, switching, deleting a tenant's people).
  'memberships.tenant_id: SELECT',
  'memberships.user_id: SELECT',
  // The scheduler finds due work: ids, states and dates, no content.
  ...['id', 'tenant_id', 'state', 'updated_at'].map((column) => `notices.${column}: SELECT`),
  ...['tenant_id', 'state', 'effective_on'].map((column) => `subprocessor_changes.${column}: SELECT`),
  ...['tenant_id', 'next_run_at'].map((column) => `host_checks.${column}: SELECT`),
  // Export jobs to run, and archives past their time to remove (decision 0026).
  ...['id', 'tenant_id', 'state', 'heartbeat_at', 'expires_at', 'archive_removed_at'].map(
    (column) => `tenant_exports.${column}: SELECT`,
  ),
  ...['tenant_id', 'confirmed_at', 'created_at', 'confirm_expires_at'].map(
    (column) => `subscribers.${column}: SELECT`,
  ),
  // The mailer moves delivery state; retention blanks finished mails. It never reads a recipient or text.
  ...[
    'id',
    'tenant_id',
    'status',
    'attempts',
    'next_attempt_at',
    'created_at',
    'sent_at',
    'redacted_at',
    'message_id',
    'send_started_at',
    'lease_id',
  ].map((column) => `mail_outbox.${column}: SELECT`),
  ...[
    'status',
    'attempts',
    'next_attempt_at',
    'last_error',
    'sent_at',
    'message_id',
    'send_started_at',
    'smtp_reply',
    'to_address',
    'reply_to',
    'text_body',
    'html_body',
    'headers',
    'redacted_at',
    'lease_id',
  ].map((column) => `mail_outbox.${column}: UPDATE`),
];

describe.each(testDatabaseKinds)('tenant isolation on $name', (kind) => {
  let db: Database;
  let a: Awaited<ReturnType<typeof seedTenant>>;
  let b: Awaited<ReturnType<typeof seedTenant>>;

  beforeAll(async () => {
    db = await kind.create();
    a = await seedTenant(db, 'alpha');
    b = await seedTenant(db, 'bravo');
  });
  afterAll(async () => db?.close());

  it('forces row-level security with the tenant policy on every table that has tenant_id', async () => {
    const tables = resultRows<{ table: string; rls: boolean; forced: boolean }>(
      await db.orm.execute(sql`
        select c.relname as table, c.relrowsecurity as rls, c.relforcerowsecurity as forced
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r'
          and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)`),
    );
    expect(tables.length).toBeGreaterThanOrEqual(6);
    const policies = resultRows<{ table: string; roles: string[] | string; qual: string; check: string }>(
      await db.orm.execute(sql`
        select tablename as table, roles, qual, with_check as check from pg_policies
        where schemaname = 'public' and policyname = 'tenant_isolation'`),
    );
    // Compare without parentheses and spaces: PostgreSQL versions print the expression differently.
    const normalize = normalizePolicyExpression;
    const expected = tenantPolicyExpression;
    for (const table of tables) {
      expect(table, `${table.table} must enable RLS`).toMatchObject({ rls: true, forced: true });
      const policy = policies.find((candidate) => candidate.table === table.table);
      expect(policy, `${table.table} must have the tenant_isolation policy`).toBeDefined();
      expect(normalize(policy?.qual)).toBe(expected);
      expect(normalize(policy?.check)).toBe(expected);
      expect(String(policy?.roles)).toContain('attest_app');
    }
  });

  it('the roles that carry application work can neither bypass RLS nor act as superuser', async () => {
    const roles = resultRows<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean }>(
      await db.orm.execute(
        sql`select rolname, rolsuper, rolbypassrls from pg_roles where rolname in ('attest_app', 'attest_platform')`,
      ),
    );
    expect(roles).toHaveLength(2);
    for (const role of roles) expect(role).toMatchObject({ rolsuper: false, rolbypassrls: false });
  });

  it('platformStatement runs as attest_platform, and the role ends with it, also after an error', async () => {
    const whoAmI = async () =>
      resultRows<{ who: string }>(await db.orm.execute(sql`select current_user as who`))[0]?.who;
    const outside = await whoAmI();
    expect(outside).not.toBe('attest_platform');
    for (let round = 0; round < 3; round += 1) {
      expect(await platformStatement<{ who: string }>(db, 'select current_user as who')).toEqual([
        { who: 'attest_platform' },
      ]);
      expect(await whoAmI()).toBe(outside);
      await expect(platformStatement(db, 'select 1 / 0')).rejects.toThrow();
      expect(await whoAmI()).toBe(outside);
      // What the role may not touch stays closed to it.
      await expect(platformStatement(db, 'select count(*) from controls')).rejects.toThrow();
    }
    expect(literal("it's \\ here")).toContain("''");
  });

  it('a tenant transaction sees only its own rows in every content table', async () => {
    for (const table of [trustProfiles, controlCategories, controls, faqEntries, subprocessors, snapshots]) {
      const rows = await withTenant(db, a.tenant.id, (tx) =>
        tx.select({ tenantId: table.tenantId }).from(table),
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((row) => row.tenantId))).toEqual(new Set([a.tenant.id]));
    }
  });

  it('refuses to write a row for another tenant, and cannot change or delete its rows', async () => {
    const [bCategory] = await withTenant(db, b.tenant.id, (tx) =>
      tx.select().from(controlCategories).limit(1),
    );
    await expect(
      withTenant(db, a.tenant.id, (tx) =>
        tx
          .insert(faqEntries)
          .values({ tenantId: b.tenant.id, key: 'planted', question: 'q?', answer: 'a', position: 9 }),
      ),
    ).rejects.toThrow();
    const updated = await withTenant(db, a.tenant.id, (tx) =>
      tx
        .update(controlCategories)
        .set({ name: 'hijacked' })
        .where(sql`true`)
        .returning({ tenantId: controlCategories.tenantId }),
    );
    expect(updated.every((row) => row.tenantId === a.tenant.id)).toBe(true);
    const deleted = await withTenant(db, a.tenant.id, (tx) =>
      tx.delete(controls).where(sql`${controls.categoryId} = ${bCategory?.id}`).returning(),
    );
    expect(deleted).toHaveLength(0);
    const [after] = await withTenant(db, b.tenant.id, (tx) => tx.select().from(controlCategories).limit(1));
    expect(after?.name).toBe(bCategory?.name);
    // Moving one's own row into the other tenant is refused by the policy's WITH CHECK.
    await expect(
      withTenant(db, a.tenant.id, (tx) => tx.update(faqEntries).set({ tenantId: b.tenant.id })),
    ).rejects.toThrow();
  });

  it('keeps tenants apart under concurrent transactions', async () => {
    const rounds = 40;
    const results = await Promise.all(
      Array.from({ length: rounds }, (_, index) => {
        const tenant = index % 2 === 0 ? a.tenant : b.tenant;
        return withTenant(db, tenant.id, async (tx) => {
          const rows = await tx
            .select({ tenantId: faqEntries.tenantId, question: faqEntries.question })
            .from(faqEntries);
          return { expected: tenant.id, rows };
        });
      }),
    );
    for (const result of results) {
      expect(result.rows.length).toBeGreaterThan(0);
      expect(result.rows.every((row) => row.tenantId === result.expected)).toBe(true);
    }
  });

  it('sees nothing outside withTenant and nothing with an unset tenant', async () => {
    const rows = await db.orm.transaction(async (tx) => {
      await tx.execute(sql`set local role attest_app`);
      return tx.select().from(controls);
    });
    expect(rows).toHaveLength(0);
  });

  it('the platform role reads tenants but no tenant content', async () => {
    const all = await withPlatform(db, (tx) => tx.execute(sql`select slug from tenants order by slug`));
    expect(resultRows<{ slug: string }>(all).map((row) => row.slug)).toEqual(['alpha', 'bravo']);
    await expect(withPlatform(db, (tx) => tx.select().from(controls))).rejects.toThrow();
  });

  it('the platform role holds exactly the grants decision 0003 lists, and is a member of no other role', async () => {
    const grants = resultRows<{ grant: string }>(
      await db.orm.execute(sql`
        select c.relname || ': ' || acl.privilege_type as grant
        from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) acl
        where n.nspname = 'public' and acl.grantee = 'attest_platform'::regrole
        union all
        select c.relname || '.' || att.attname || ': ' || acl.privilege_type
        from pg_attribute att join pg_class c on c.oid = att.attrelid
        join pg_namespace n on n.oid = c.relnamespace, aclexplode(att.attacl) acl
        where n.nspname = 'public' and not att.attisdropped and acl.grantee = 'attest_platform'::regrole`),
    );
    expect(grants.map((row) => row.grant).sort()).toEqual([...platformGrants].sort());
    const memberships = resultRows<{ role: string }>(
      await db.orm.execute(sql`
        select r.rolname as role from pg_auth_members m join pg_roles r on r.oid = m.roleid
        where m.member = 'attest_platform'::regrole`),
    );
    expect(memberships).toEqual([]);
  });

  it('published snapshots cannot be altered by the application role', async () => {
    await expect(
      withTenant(db, a.tenant.id, (tx) => tx.update(snapshots).set({ publishedBy: 'someone else' })),
    ).rejects.toThrow();
    await expect(withTenant(db, a.tenant.id, (tx) => tx.delete(snapshots))).rejects.toThrow();
  });
});
