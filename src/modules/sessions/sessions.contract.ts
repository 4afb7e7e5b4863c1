import { z } from 'zod';
import { tenantSlug } from '../../platform/validation/strings.js';
import { passwordField } from '../accounts/password-policy.js';

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
