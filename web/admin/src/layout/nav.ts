import type { Permission } from '@attest/platform/auth/context.js';

export interface NavItem {
  to: string;
  label: string;
  permission?: Permission;
}

export interface NavGroup {
  heading: string;
  items: NavItem[];
}
