import type { Permission } from './context.js';
import { permissions } from './context.js';

/**
 * The built-in roles. Least privilege: each gets what its job needs. Only owners hold
 * `tenant:own`, so only an owner can make someone an owner.
 */
export const builtInRoles = {
  owner: { name: 'Owner', permissions: [...permissions] },
  admin: { name: 'Admin', permissions: permissions.filter((permission) => permission !== 'tenant:own') },
  editor: {
    name: 'Editor',
    permissions: [
      'content:read',
      'content:write',
      'content:publish',
      'updates:write',
      'members:read',
      'documents:read',
      'documents:write',
      'access_requests:manage',
    ],
  },
  viewer: { name: 'Viewer', permissions: ['content:read', 'documents:read'] },
  auditor: {
    name: 'Auditor',
    permissions: [
      'content:read',
      'members:read',
      'api_keys:read',
      'audit:read',
      'settings:read',
      'documents:read',
      'subscribers:read',
    ],
  },
} as const satisfies Record<string, { name: string; permissions: readonly Permission[] }>;

export type BuiltInRole = keyof typeof builtInRoles;

export function isBuiltInRole(role: string): role is BuiltInRole {
  return Object.hasOwn(builtInRoles, role);
}
