import { useQuery } from '@tanstack/react-query';
import { ALL, api, type Page } from '../../api/client.js';
import type { Invitation, Member, Role } from '../../api/types.js';

export const MEMBERS_KEY = ['members'] as const;

export function useMembers() {
  return useQuery({
    queryKey: [...MEMBERS_KEY, 'list'],
    queryFn: () => api.get<Page<Member>>('/members', ALL),
  });
}

export function useInvitations() {
  return useQuery({
    queryKey: [...MEMBERS_KEY, 'invitations'],
    queryFn: () => api.get<Page<Invitation>>('/invitations', ALL),
  });
}

export function useRoles() {
  return useQuery({
    queryKey: [...MEMBERS_KEY, 'roles'],
    queryFn: () => api.get<{ items: Role[] }>('/roles'),
  });
}
