import { useMutation, useQueryClient } from '@tanstack/react-query';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { request } from '../api/client.js';
import { useCan, useMe } from '../auth/session.js';
import { documentsNavGroup } from '../features/documents/navigation.js';
import { updatesNavGroup } from '../features/updates/navigation.js';
import type { NavGroup } from './nav.js';
import { TrustCenterSwitcher } from './trust-center-switcher.js';

const groups: NavGroup[] = [
  {
    heading: 'Trust center',
    items: [
      { to: '/', label: 'Home', permission: 'content:read' },
      { to: '/profile', label: 'Profile', permission: 'content:read' },
      { to: '/controls', label: 'Controls', permission: 'content:read' },
      { to: '/categories', label: 'Categories', permission: 'content:read' },
      { to: '/faq', label: 'FAQ', permission: 'content:read' },
      { to: '/subprocessors', label: 'Subprocessors', permission: 'content:read' },
      { to: '/knowledge-base', label: 'Knowledge base', permission: 'content:read' },
      { to: '/preview', label: 'Preview', permission: 'content:read' },
      { to: '/publish', label: 'Publish', permission: 'content:read' },
      { to: '/evidence', label: 'Live evidence', permission: 'content:read' },
      { to: '/host-checks', label: 'Host checks', permission: 'settings:read' },
    ],
  },
  documentsNavGroup,
  updatesNavGroup,
  {
    heading: 'Administration',
    items: [
      { to: '/members', label: 'Members and roles', permission: 'members:read' },
      { to: '/api-keys', label: 'API keys', permission: 'api_keys:read' },
      { to: '/audit', label: 'Audit log', permission: 'audit:read' },
      { to: '/settings', label: 'Settings', permission: 'settings:read' },
      { to: '/export', label: 'Export', permission: 'tenant:own' },
    ],
  },
  {
    heading: 'Your account',
    items: [
      { to: '/account/sessions', label: 'Sessions' },
      { to: '/account/two-factor', label: 'Two-factor authentication' },
    ],
  },
];

export function Shell() {
  const me = useMe();
  const can = useCan();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const signOut = useMutation({
    mutationFn: () => request<void>('POST', '/bff/logout'),
    onSettled: () => {
      // Leave the signed-in pages first, then forget what they showed.
      navigate('/sign-in', { replace: true, state: { signedOut: true } });
      queryClient.clear();
    },
  });

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="topbar">
        <a className="brand" href={`/t/${me.tenant.slug}`}>
          Attest <span className="brand-tenant">· {me.tenant.name}</span>
          <span className="visually-hidden"> (public trust center)</span>
        </a>
        <TrustCenterSwitcher />
        <div className="account">
          <span>
            {me.user.email} <span className="muted">({me.role})</span>
          </span>
          <button
            type="button"
            className="button button-small"
            onClick={() => signOut.mutate()}
            disabled={signOut.isPending}
          >
            Sign out
          </button>
        </div>
      </header>
      <div className="shell">
        <nav className="sidebar" aria-label="Main">
          {groups.map((group) => {
            const items = group.items.filter((item) => !item.permission || can(item.permission));
            if (items.length === 0) return null;
            const id = `nav-${group.heading.toLowerCase().replaceAll(' ', '-')}`;
            return (
              <div className="nav-group" key={group.heading}>
                <h2 className="nav-heading" id={id}>
                  {group.heading}
                </h2>
                <ul className="nav-list" aria-labelledby={id}>
                  {items.map((item) => (
                    <li key={item.to}>
                      <NavLink className="nav-link" to={item.to} end={item.to === '/'}>
                        {item.label}
                      </NavLink>
                    </li>
                  ))}
                </ul>
              </div>
            );
          })}
        </nav>
        {/* Keyed by trust center: a switch starts every page afresh, with no state from the other. */}
        <main id="main" className="content" tabIndex={-1} key={me.tenant.slug}>
          <Outlet />
        </main>
      </div>
    </>
  );
}
