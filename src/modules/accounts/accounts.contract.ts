import { z } from 'zod';
import { permissions } from '../../platform/auth/context.js';
import { line, patchOf, tenantSlug } from '../../platform/validation/strings.js';
import { passwordField } from './password-policy.js';

/** The password rule, for every form that takes a new password. */
export { passwordField } from './password-policy.js';

export const emailAddress = z.string().trim().toLowerCase().max(254).pipe(z.email());

export const roleKey = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes');

export const permissionList = z.array(z.enum(permissions)).max(permissions.length);

export const inviteInput = z.object({ email: emailAddress, role: roleKey });
export const changeRoleInput = z.object({ role: roleKey });
export const roleInput = z.object({ key: roleKey, name: line(80), permissions: permissionList });
export const roleUpdateInput = patchOf(roleInput.omit({ key: true }));

export const acceptInvitationInput = z.object({
  tenant: tenantSlug,
  token: z.string().trim().min(20).max(200),
  password: passwordField.optional(),
});

export const settingsInput = z.object({
  sessionIdleMinutes: z.number().int().min(5).max(1440),
  sessionAbsoluteHours: z.number().int().min(1).max(720),
  requireMfa: z.boolean(),
});
export type SettingsInput = z.infer<typeof settingsInput>;

export const member = z.object({
  userId: z.uuid(),
  email: z.string(),
  role: z.string(),
  mfaEnabled: z.boolean(),
  disabled: z.boolean(),
  joinedAt: z.string(),
});
export type Member = z.infer<typeof member>;

export const invitation = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const roleOutput = z.object({
  key: z.string(),
  name: z.string(),
  builtIn: z.boolean(),
  permissions: z.array(z.string()),
});
