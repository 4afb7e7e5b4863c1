import { z } from 'zod';
import { line } from '../../platform/validation/strings.js';
import { permissionList } from '../accounts/accounts.contract.js';

export const DEFAULT_KEY_DAYS = 90;
export const MAX_KEY_DAYS = 365;

export const createApiKeyInput = z.object({
  name: line(100),
  scopes: permissionList.min(1),
  expiresInDays: z.number().int().min(1).max(MAX_KEY_DAYS).default(DEFAULT_KEY_DAYS),
});

export const rotateApiKeyInput = z.object({
  /** How long the old key keeps working beside the new one, so deployments can switch over. */
  overlapHours: z.number().int().min(0).max(168).default(24),
});

export const apiKeyView = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  rotatedFrom: z.uuid().nullable(),
  status: z.enum(['active', 'expired', 'revoked']),
});
export type ApiKeyView = z.infer<typeof apiKeyView>;

/** The one response that carries a key's secret: the answer to creating or rotating it. */
export const createdApiKey = z.object({ key: apiKeyView, secret: z.string() });
