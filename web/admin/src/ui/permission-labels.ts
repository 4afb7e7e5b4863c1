import { type Permission, permissions } from '@attest/platform/auth/context.js';

/**
 * What each permission lets a person do, in words, grouped by the part of the console it opens.
 * A `Record` over every permission: adding one to the API without describing it here fails the
 * type check, so the console never shows a bare code nobody can interpret.
 */
export const permissionLabels: Record<Permission, string> = {
  'content:read': 'View content',
  'content:write': 'Edit content',
  'content:publish': 'Publish changes',
  'documents:read': 'View documents',
  'documents:write': 'Upload and edit documents',
  'access_requests:manage': 'Handle access requests and grants',
  'updates:write': 'Write updates, incidents and notices',
  'subscribers:read': 'View subscribers',
  'members:read': 'View members and roles',
  'members:manage': 'Invite, change and remove members',
  'roles:manage': 'Create, edit and delete custom roles',
  'api_keys:read': 'View API keys',
  'api_keys:manage': 'Create and revoke API keys',
  'audit:read': 'Read the audit log',
  'settings:read': 'View settings and the mail outbox',
  'settings:manage': 'Change settings',
  'tenant:own': 'Owner rights (make or demote owners, export everything)',
};

export interface PermissionGroup {
  heading: string;
  permissions: readonly Permission[];
}

export const permissionGroups: readonly PermissionGroup[] = [
  { heading: 'Trust center content', permissions: ['content:read', 'content:write', 'content:publish'] },
  { heading: 'Documents', permissions: ['documents:read', 'documents:write', 'access_requests:manage'] },
  { heading: 'Updates', permissions: ['updates:write', 'subscribers:read'] },
  { heading: 'People', permissions: ['members:read', 'members:manage', 'roles:manage'] },
  {
    heading: 'Administration',
    permissions: [
      'api_keys:read',
      'api_keys:manage',
      'audit:read',
      'settings:read',
      'settings:manage',
      'tenant:own',
    ],
  },
];

/** A permission the API knows but no group lists still shows up, under "Other". */
const grouped = new Set(permissionGroups.flatMap((group) => group.permissions));
const ungrouped = permissions.filter((permission) => !grouped.has(permission));
export const allPermissionGroups: readonly PermissionGroup[] = ungrouped.length
  ? [...permissionGroups, { heading: 'Other', permissions: ungrouped }]
  : permissionGroups;

/** "View content, Edit content" in the order of the groups above; unknown codes stay as they are. */
export function describePermissions(held: readonly string[]): string {
  if (permissions.every((permission) => held.includes(permission))) return 'All permissions';
  const known = allPermissionGroups
    .flatMap((group) => group.permissions)
    .filter((permission) => held.includes(permission))
    .map((permission) => permissionLabels[permission]);
  const unknown = held.filter((code) => !(permissions as readonly string[]).includes(code));
  const all = [...known, ...unknown];
  return all.length ? all.join(', ') : 'No permissions';
}
