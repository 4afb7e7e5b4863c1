import { z } from 'zod';
import { tenantSlug } from '../../platform/validation/strings.js';
import { passwordField } from '../accounts/accounts.contract.js';

export const loginInput = z.object({
  email: z.string().trim().toLowerCase().min(3).max(254),
  password: passwordField,
  tenant: tenantSlug,
  totp: z.string().trim().min(6).max(40).optional(),
});
export type LoginInput = z.infer<typeof loginInput>;

export const sessionView = z.object({
  id: z.uuid(),
  current: z.boolean(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  client: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type SessionView = z.infer<typeof sessionView>;

/** POST /bff/switch: the trust center to continue in, by slug. */
export const switchInput = z.object({ tenant: tenantSlug });
export type SwitchInput = z.infer<typeof switchInput>;

/** GET /bff/trust-centers: one trust center the signed-in person is a member of. */
export const trustCenterView = z.object({
  slug: z.string(),
  name: z.string(),
  /** The role's key, and its name as that trust center calls it (custom roles have their own). */
  role: z.string(),
  roleName: z.string(),
  current: z.boolean(),
});
export type TrustCenterView = z.infer<typeof trustCenterView>;
