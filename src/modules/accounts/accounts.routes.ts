import { z } from 'zod';
import { type ApiRoute, defineRoute, pageOf, pageQuery } from '../../platform/http/api-route.js';
import {
  changeRoleInput,
  invitation,
  inviteInput,
  member,
  roleInput,
  roleKey,
  roleOutput,
  roleUpdateInput,
  settingsInput,
} from './accounts.contract.js';
import type { MembersService } from './members.service.js';
import type { RolesService } from './roles.service.js';
import type { SettingsService } from './settings.service.js';

const userParam = z.object({ id: z.uuid() });
const roleParam = z.object({ key: roleKey });

/** What these routes use of the services (the app passes them all). */
export interface AccountsRouteServices {
  members: MembersService;
  roles: RolesService;
  settings: SettingsService;
}

/** Members, invitations, roles and tenant settings under /api/v1. */
export function accountsRoutes(services: AccountsRouteServices): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/members',
      summary: 'List the members of the trust center',
      tag: 'members',
      permission: 'members:read',
      query: pageQuery,
      response: pageOf(member),
      handler: async ({ ctx, query }) => services.members.listPage(ctx, query),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/members/:id',
      summary: "Change a member's role (ends their sessions)",
      tag: 'members',
      permission: 'members:manage',
      objectParam: 'id',
      params: userParam,
      body: changeRoleInput,
      successStatus: 204,
      handler: async ({ ctx, params, body }) => {
        await services.members.changeRole(ctx, params.id, body);
        return undefined;
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/members/:id',
      summary: 'Remove a member: their sessions and API keys end at once',
      tag: 'members',
      permission: 'members:manage',
      objectParam: 'id',
      params: userParam,
      successStatus: 204,
      handler: async ({ ctx, params }) => {
        await services.members.remove(ctx, params.id);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/invitations',
      summary: 'List invitations',
      tag: 'members',
      permission: 'members:read',
      query: pageQuery,
      response: pageOf(invitation),
      handler: async ({ ctx, query }) => services.members.listInvitationsPage(ctx, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/invitations',
      summary: 'Invite someone by e-mail; the single-use link is returned once',
      tag: 'members',
      permission: 'members:manage',
      body: inviteInput,
      successStatus: 201,
      response: z.object({ invitation, token: z.string() }),
      handler: ({ ctx, body }) => services.members.invite(ctx, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/invitations/:id',
      summary: 'Revoke an invitation',
      tag: 'members',
      permission: 'members:manage',
      objectParam: 'id',
      params: z.object({ id: z.uuid() }),
      successStatus: 204,
      handler: async ({ ctx, params }) => {
        await services.members.revokeInvitation(ctx, params.id);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/roles',
      summary: 'List built-in and custom roles with their permissions',
      tag: 'roles',
      permission: 'members:read',
      response: z.object({ items: z.array(roleOutput) }),
      handler: async ({ ctx }) => ({ items: await services.roles.list(ctx) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/roles',
      summary: 'Create a custom role (never with more than you hold)',
      tag: 'roles',
      permission: 'roles:manage',
      body: roleInput,
      successStatus: 201,
      response: roleOutput,
      handler: ({ ctx, body }) => services.roles.create(ctx, body),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/roles/:key',
      summary: 'Change a custom role',
      tag: 'roles',
      permission: 'roles:manage',
      objectParam: 'key',
      params: roleParam,
      body: roleUpdateInput,
      successStatus: 204,
      handler: async ({ ctx, params, body }) => {
        await services.roles.update(ctx, params.key, body);
        return undefined;
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/roles/:key',
      summary: 'Delete a custom role that nobody holds',
      tag: 'roles',
      permission: 'roles:manage',
      objectParam: 'key',
      params: roleParam,
      successStatus: 204,
      handler: async ({ ctx, params }) => {
        await services.roles.remove(ctx, params.key);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/settings',
      summary: 'Tenant security settings',
      tag: 'settings',
      permission: 'settings:read',
      response: settingsInput,
      handler: ({ ctx }) => services.settings.get(ctx),
    }),
    defineRoute({
      method: 'PUT',
      url: '/settings',
      summary: 'Change session timeouts and the second-factor requirement',
      tag: 'settings',
      permission: 'settings:manage',
      body: settingsInput,
      response: settingsInput,
      handler: ({ ctx, body }) => services.settings.update(ctx, body),
    }),
  ];
}
