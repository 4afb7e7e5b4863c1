import { z } from 'zod';
import { line, tenantSlug } from '../../platform/validation/strings.js';

/** A host name as it may arrive in a Host header, without port: lowercase labels and dots. */
export const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain name');

export const createTenantInput = z.object({
  slug: tenantSlug,
  name: line(200),
  customDomain: domainName.optional(),
});
export type CreateTenantInput = z.infer<typeof createTenantInput>;

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  /** `closing`: read-only until `deletionDueAt`, then deleted (contract end). */
  status: 'active' | 'suspended' | 'closing';
  deletionDueAt: Date | null;
  /** Why the last attempt to delete it failed (error code, constraint, table), if it did. */
  deletionError: string | null;
  customDomain: string | null;
  createdAt: Date;
}
