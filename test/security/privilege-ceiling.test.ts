import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Permission,
  permissions,
  ServiceContext,
  systemContext,
} from '../../src/platform/auth/context.js';
import { builtInRoles } from '../../src/platform/auth/roles.js';
import { useTestApp } from '../support/app.js';
import { testDatabaseKinds } from '../support/databases.js';

const PASSWORD = 'a long and unusual passphrase 4471';

/**
 * Nobody acts above themselves (issue 18, finding 2): a custom role with members:manage,
 * api_keys:manage or roles:manage cannot change, remove or revoke a member, an invitation, an API
 * key or a role that holds a right it lacks. Everything goes over HTTP with the manager's API key.
 */
describe.each(testDatabaseKinds)('acting on someone who holds more rights on $name', (kind) => {
  const holder = useTestApp(kind);
  const ids: Record<string, string> = {};
  let managerKey = '';
  let roleManagerKey = '';

  const api = (
    method: 'GET' | 'PATCH' | 'DELETE' | 'POST',
    url: string,
    payload?: object,
    key = managerKey,
  ) =>
    holder.app.server.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${key}` },
      ...(payload ? { payload } : {}),
    });

  async function roleOf(userId: string): Promise<string | undefined> {
    const members = await holder.app.services.members.list(systemContext(ids.tenant ?? ''));
    return members.find((member) => member.userId === userId)?.role;
  }

  beforeAll(async () => {
    const { services } = holder.app;
    const tenant = await services.tenants.create({ slug: 'ceiling', name: 'Ceiling Ltd' });
    ids.tenant = tenant.id;
    const system = systemContext(tenant.id);
    await services.roles.create(system, {
      key: 'people-manager',
      name: 'People manager',
      permissions: [
        'members:read',
        'members:manage',
        'api_keys:read',
        'api_keys:manage',
        'content:read',
        'documents:read',
      ],
    });
    await services.roles.create(system, { key: 'reader', name: 'Reader', permissions: ['content:read'] });
    await services.roles.create(system, {
      key: 'publisher',
      name: 'Publisher',
      permissions: ['content:read', 'content:write', 'content:publish'],
    });
    await services.roles.create(system, {
      key: 'role-manager',
      name: 'Role manager',
      permissions: ['roles:manage', 'members:read', 'content:read'],
    });
    for (const [name, role] of [
      ['owner', 'owner'],
      ['admin', 'admin'],
      ['editor', 'editor'],
      ['viewer', 'viewer'],
      ['viewer2', 'viewer'],
      ['manager', 'people-manager'],
      ['roles', 'role-manager'],
    ] as const) {
      ids[name] = (
        await services.members.add(system, { email: `${name}@ceiling.example`, role, password: PASSWORD })
      ).userId;
    }
    const as = (name: string, role: keyof typeof builtInRoles | Permission[]) =>
      new ServiceContext(
        tenant.id,
        { kind: 'user', id: ids[name] ?? '' },
        Array.isArray(role) ? role : builtInRoles[role].permissions,
      );
    const managerPermissions: Permission[] = [
      'members:read',
      'members:manage',
      'api_keys:read',
      'api_keys:manage',
    ];
    managerKey = (
      await services.apiKeys.create(
        as('manager', [...managerPermissions, 'content:read', 'documents:read']),
        {
          name: 'Manager key',
          scopes: [...managerPermissions, 'content:read', 'documents:read'],
        },
      )
    ).secret;
    roleManagerKey = (
      await services.apiKeys.create(
        as('roles', ['roles:manage', 'members:read', 'content:read', 'api_keys:manage']),
        {
          name: 'Role manager key',
          scopes: ['roles:manage', 'members:read', 'content:read'],
        },
      )
    ).secret;
    const owner = as('owner', 'owner');
    ids.ownerInvitation = (
      await services.members.invite(owner, { email: 'new-owner@ceiling.example', role: 'owner' })
    ).invitation.id;
    ids.viewerInvitation = (
      await services.members.invite(owner, { email: 'new-viewer@ceiling.example', role: 'viewer' })
    ).invitation.id;
    ids.ownerKey = (
      await services.apiKeys.create(owner, { name: 'Owner key', scopes: [...permissions] })
    ).key.id;
    ids.readKey = (
      await services.apiKeys.create(owner, { name: 'Read key', scopes: ['content:read'] })
    ).key.id;
    ids.readKey2 = (
      await services.apiKeys.create(owner, { name: 'Read key 2', scopes: ['content:read'] })
    ).key.id;
  });

  it('refuses to demote an admin or remove an editor, and changes nothing', async () => {
    const demote = await api('PATCH', `/members/${ids.admin}`, { role: 'viewer' });
    expect(demote.statusCode, demote.body).toBe(403);
    expect(demote.json().error.code).toBe('auth.forbidden');
    expect(await roleOf(ids.admin ?? '')).toBe('admin');
    expect((await api('PATCH', `/members/${ids.owner}`, { role: 'reader' })).statusCode).toBe(403);
    expect(await roleOf(ids.owner ?? '')).toBe('owner');

    expect((await api('DELETE', `/members/${ids.editor}`)).statusCode).toBe(403);
    expect(await roleOf(ids.editor ?? '')).toBe('editor');
    expect((await api('DELETE', `/members/${ids.admin}`)).statusCode).toBe(403);
    expect(await roleOf(ids.admin ?? '')).toBe('admin');
  });

  it('still changes and removes members whose rights the manager holds, within its own rights', async () => {
    expect((await api('PATCH', `/members/${ids.viewer2}`, { role: 'reader' })).statusCode).toBe(204);
    expect(await roleOf(ids.viewer2 ?? '')).toBe('reader');
    // Granting more than one holds stays refused.
    expect((await api('PATCH', `/members/${ids.viewer2}`, { role: 'editor' })).statusCode).toBe(403);
    expect(await roleOf(ids.viewer2 ?? '')).toBe('reader');
    expect((await api('DELETE', `/members/${ids.viewer}`)).statusCode).toBe(204);
    expect(await roleOf(ids.viewer ?? '')).toBeUndefined();
  });

  it("refuses to revoke an owner's invitation, but revokes a viewer's", async () => {
    expect((await api('DELETE', `/invitations/${ids.ownerInvitation}`)).statusCode).toBe(403);
    expect((await api('DELETE', `/invitations/${ids.viewerInvitation}`)).statusCode).toBe(204);
    const invitations = (await api('GET', '/invitations')).json().items as {
      id: string;
      revokedAt: string | null;
    }[];
    expect(invitations.find((item) => item.id === ids.ownerInvitation)?.revokedAt).toBeNull();
    expect(invitations.find((item) => item.id === ids.viewerInvitation)?.revokedAt).not.toBeNull();
  });

  it('refuses to rotate or revoke a key with more rights, and manages the others', async () => {
    expect((await api('POST', `/api-keys/${ids.ownerKey}/rotate`, {})).statusCode).toBe(403);
    expect((await api('DELETE', `/api-keys/${ids.ownerKey}`)).statusCode).toBe(403);
    const keys = (await api('GET', '/api-keys')).json().items as { id: string; status: string }[];
    expect(keys.find((key) => key.id === ids.ownerKey)?.status).toBe('active');
    expect(keys.filter((key) => key.id !== ids.ownerKey && key.status === 'active').length).toBeGreaterThan(
      0,
    );

    expect((await api('POST', `/api-keys/${ids.readKey}/rotate`, {})).statusCode).toBe(201);
    expect((await api('DELETE', `/api-keys/${ids.readKey2}`)).statusCode).toBe(204);
    const after = (await api('GET', '/api-keys')).json().items as { id: string; status: string }[];
    expect(after.find((key) => key.id === ids.readKey2)?.status).toBe('revoked');
  });

  it('refuses to change or delete a custom role that holds more rights than the caller', async () => {
    const narrowed = await api(
      'PATCH',
      '/roles/publisher',
      { permissions: ['content:read'] },
      roleManagerKey,
    );
    expect(narrowed.statusCode, narrowed.body).toBe(403);
    expect((await api('DELETE', '/roles/publisher', undefined, roleManagerKey)).statusCode).toBe(403);
    const roles = (await api('GET', '/roles', undefined, roleManagerKey)).json().items as {
      key: string;
      permissions: string[];
    }[];
    expect(roles.find((role) => role.key === 'publisher')?.permissions).toEqual([
      'content:read',
      'content:write',
      'content:publish',
    ]);
    expect((await api('PATCH', '/roles/reader', { name: 'Readers' }, roleManagerKey)).statusCode).toBe(204);
  });
});
