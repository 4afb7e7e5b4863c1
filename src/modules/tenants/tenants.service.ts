import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import type { Database, Tx } from '../../platform/db/client.js';
import { translateDatabaseError } from '../../platform/db/errors.js';
import { withPlatform } from '../../platform/db/tenancy.js';
import { AppError } from '../../platform/errors.js';
import { tenantSlug } from '../../platform/validation/strings.js';
import { type CreateTenantInput, createTenantInput, domainName, type Tenant } from './tenants.contract.js';
import { type TenantRow, tenants } from './tenants.schema.js';
import './tenants.errors.js';

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    deletionDueAt: row.deletionDueAt,
    deletionError: row.deletionError,
    customDomain: row.customDomain,
    createdAt: row.createdAt,
  };
}

/**
 * Platform-level tenant registry. Runs as attest_platform (the tenants table is a platform table);
 * it is used by operators (CLI) and by the public site to resolve a slug or a Host header.
 */
/**
 * A Host header's name as a tenant's domain is stored: no port, and no trailing dot ("acme.com."
 * names the same host as "acme.com", and browsers send it as typed).
 */
export function withoutPortAndRootDot(host: string): string {
  return host.replace(/:\d{1,5}$/, '').replace(/\.+$/, '');
}

/** Closed tenants, and those of them still here this long after their deletion date (the worker runs every minute). */
export const DELETION_GRACE_MS = 60 * 60_000;

/**
 * How the deletion of closed tenants stands, across the platform: counts only. A tenant past its
 * deletion date plus the grace still holds its data, whether the database refused the deletion
 * (its reason is on the row) or no worker ran.
 */
export async function deletionBacklog(
  db: Database,
  now: Date,
): Promise<{ closing: number; overdue: number; refused: number }> {
  const rows = await withPlatform(db, (tx) =>
    tx
      .select({ dueAt: tenants.deletionDueAt, error: tenants.deletionError })
      .from(tenants)
      .where(eq(tenants.status, 'closing')),
  );
  const late = now.getTime() - DELETION_GRACE_MS;
  const overdue = rows.filter((row) => row.dueAt !== null && row.dueAt.getTime() < late);
  return {
    closing: rows.length,
    overdue: overdue.length,
    refused: overdue.filter((row) => row.error !== null).length,
  };
}

/**
 * The tenant of `tx` as its mails and pages name it: row-level security shows a tenant
 * transaction only its own row. Undefined when it sees none.
 */
export async function readOwnTenant(
  tx: Tx,
): Promise<{ slug: string; name: string; customDomain: string | null } | undefined> {
  const [tenant] = await tx
    .select({ slug: tenants.slug, name: tenants.name, customDomain: tenants.customDomain })
    .from(tenants)
    .limit(1);
  return tenant;
}

/**
 * Of these tenants, the ones in one of `statuses`, by name then slug, at most `limit` (platform
 * role): the trust centers a person can switch between, given the tenants they belong to.
 */
export async function tenantsAmong(
  tx: Tx,
  ids: readonly string[],
  statuses: readonly TenantRow['status'][],
  limit: number,
): Promise<{ id: string; slug: string; name: string }[]> {
  if (ids.length === 0) return [];
  return tx
    .select({ id: tenants.id, slug: tenants.slug, name: tenants.name })
    .from(tenants)
    .where(and(inArray(tenants.id, [...ids]), inArray(tenants.status, [...statuses])))
    .orderBy(asc(tenants.name), asc(tenants.slug))
    .limit(limit);
}

export function createTenantsService({ db }: { db: Database }) {
  async function create(input: CreateTenantInput): Promise<Tenant> {
    const parsed = createTenantInput.parse(input);
    try {
      const [row] = await withPlatform(db, (tx) =>
        tx
          .insert(tenants)
          .values({ slug: parsed.slug, name: parsed.name, customDomain: parsed.customDomain ?? null })
          .returning(),
      );
      if (!row) throw new Error('tenant insert returned no row');
      return toTenant(row);
    } catch (error) {
      const detail = String((error as { cause?: { constraint?: string } }).cause?.constraint ?? '');
      translateDatabaseError(error, {
        '23505': detail.includes('domain') ? 'tenant.domain_taken' : 'tenant.slug_taken',
      });
    }
  }

  /** A served tenant (active, or closing and read-only) by slug; anything else is not found. */
  async function findBySlug(slug: string): Promise<Tenant | null> {
    const parsed = tenantSlug.safeParse(slug);
    if (!parsed.success || parsed.data !== slug) return null;
    const [row] = await withPlatform(db, (tx) =>
      tx.select().from(tenants).where(eq(tenants.slug, slug)).limit(1),
    );
    return row && row.status !== 'suspended' ? toTenant(row) : null;
  }

  /** A served tenant whose custom domain is this Host (port ignored); null for anything else. */
  async function findByHost(host: string): Promise<Tenant | null> {
    const parsed = domainName.safeParse(withoutPortAndRootDot(host));
    if (!parsed.success) return null;
    const [row] = await withPlatform(db, (tx) =>
      tx.select().from(tenants).where(eq(tenants.customDomain, parsed.data)).limit(1),
    );
    return row && row.status !== 'suspended' ? toTenant(row) : null;
  }

  /**
   * Whether this Host (port ignored) is any tenant's custom domain, whatever the tenant's state:
   * a suspended or closing tenant's domain is still a customer's, not the platform's.
   */
  async function isCustomDomain(host: string): Promise<boolean> {
    const parsed = domainName.safeParse(withoutPortAndRootDot(host));
    if (!parsed.success) return false;
    const rows = await withPlatform(db, (tx) =>
      tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.customDomain, parsed.data)).limit(1),
    );
    return rows.length > 0;
  }

  async function findById(id: string): Promise<Tenant | null> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return null;
    const [row] = await withPlatform(db, (tx) =>
      tx.select().from(tenants).where(eq(tenants.id, id)).limit(1),
    );
    return row ? toTenant(row) : null;
  }

  async function requireBySlug(slug: string): Promise<Tenant> {
    const tenant = await findBySlug(slug);
    if (!tenant) throw new AppError('tenant.not_found');
    return tenant;
  }

  async function list(): Promise<Tenant[]> {
    const rows = await withPlatform(db, (tx) => tx.select().from(tenants).orderBy(tenants.slug));
    return rows.map(toTenant);
  }

  async function setCustomDomain(slug: string, customDomain: string | null): Promise<Tenant> {
    const tenant = await requireBySlug(slug);
    const domain = customDomain === null ? null : domainName.parse(customDomain);
    try {
      const [row] = await withPlatform(db, (tx) =>
        tx
          .update(tenants)
          .set({ customDomain: domain, updatedAt: new Date() })
          .where(eq(tenants.id, tenant.id))
          .returning(),
      );
      if (!row) throw new AppError('tenant.not_found');
      return toTenant(row);
    } catch (error) {
      translateDatabaseError(error, { '23505': 'tenant.domain_taken' });
    }
  }

  /**
   * Contract end: the tenant becomes read-only (console, API and public forms refuse changes; its
   * pages, exports and shared documents stay available) and is deleted by the worker at
   * `now + days`. Closing again moves the date.
   */
  async function close(slug: string, days: number, now: Date): Promise<Tenant> {
    const tenant = await requireBySlug(slug);
    const due = new Date(now.getTime() + days * 86_400_000);
    const [row] = await withPlatform(db, (tx) =>
      tx
        .update(tenants)
        .set({
          status: 'closing',
          deletionDueAt: due,
          deletionFailedAt: null,
          deletionError: null,
          updatedAt: now,
        })
        .where(eq(tenants.id, tenant.id))
        .returning(),
    );
    if (!row) throw new AppError('tenant.not_found');
    return toTenant(row);
  }

  /** Cancels a closing: the tenant is active and writable again. */
  async function reopen(slug: string, now: Date): Promise<Tenant> {
    const tenant = await requireBySlug(slug);
    const [row] = await withPlatform(db, (tx) =>
      tx
        .update(tenants)
        .set({
          status: 'active',
          deletionDueAt: null,
          deletionFailedAt: null,
          deletionError: null,
          updatedAt: now,
        })
        .where(eq(tenants.id, tenant.id))
        .returning(),
    );
    if (!row) throw new AppError('tenant.not_found');
    return toTenant(row);
  }

  /** Tenants whose deletion date has come. */
  async function dueForDeletion(now: Date): Promise<Tenant[]> {
    const rows = await withPlatform(db, (tx) =>
      tx
        .select()
        .from(tenants)
        .where(and(eq(tenants.status, 'closing'), lte(tenants.deletionDueAt, now))),
    );
    return rows.map(toTenant);
  }

  /** Whether the tenant may be changed (false while closing or suspended, or when unknown). */
  async function isWritable(id: string): Promise<boolean> {
    return (await findById(id))?.status === 'active';
  }

  async function isEmpty(): Promise<boolean> {
    const rows = await withPlatform(db, (tx) => tx.select({ id: tenants.id }).from(tenants).limit(1));
    return rows.length === 0;
  }

  return {
    create,
    findById,
    findBySlug,
    findByHost,
    isCustomDomain,
    requireBySlug,
    list,
    setCustomDomain,
    close,
    reopen,
    dueForDeletion,
    isWritable,
    isEmpty,
  };
}

export type TenantsService = ReturnType<typeof createTenantsService>;
