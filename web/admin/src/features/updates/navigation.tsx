import type { ReactElement } from 'react';
import { Route } from 'react-router';
import type { NavGroup } from '../../layout/nav.js';
import { AnnounceChangePage } from './announce-change-page.js';
import { IncidentPage } from './incident-page.js';
import { IncidentsPage } from './incidents-page.js';
import { NoticesPage } from './notices-page.js';
import { NotificationSettingsPage } from './notification-settings-page.js';
import { SubprocessorChangesPage } from './subprocessor-changes-page.js';
import { SubscribersPage } from './subscribers-page.js';
import { UpdateEditPage } from './update-edit-page.js';
import { UpdatesPage } from './updates-page.js';

/** The console's updates, incidents, subprocessor changes and subscribers: navigation and routes. */
export const updatesNavGroup: NavGroup = {
  heading: 'Updates and notices',
  items: [
    { to: '/updates', label: 'Updates', permission: 'content:read' },
    { to: '/incidents', label: 'Incidents', permission: 'content:read' },
    { to: '/subprocessor-changes', label: 'Subprocessor changes', permission: 'content:read' },
    { to: '/notices', label: 'Notices', permission: 'content:read' },
    { to: '/subscribers', label: 'Subscribers', permission: 'subscribers:read' },
    { to: '/notification-settings', label: 'Notification settings', permission: 'settings:read' },
  ],
};

export const updatesRoutes: ReactElement[] = [
  <Route key="updates" path="updates" element={<UpdatesPage />} />,
  <Route key="updates-new" path="updates/new" element={<UpdateEditPage />} />,
  <Route key="update" path="updates/:id" element={<UpdateEditPage />} />,
  <Route key="incidents" path="incidents" element={<IncidentsPage />} />,
  <Route key="incidents-new" path="incidents/new" element={<IncidentPage />} />,
  <Route key="incident" path="incidents/:id" element={<IncidentPage />} />,
  <Route key="changes" path="subprocessor-changes" element={<SubprocessorChangesPage />} />,
  <Route key="changes-new" path="subprocessor-changes/new" element={<AnnounceChangePage />} />,
  <Route key="notices" path="notices" element={<NoticesPage />} />,
  <Route key="subscribers" path="subscribers" element={<SubscribersPage />} />,
  <Route key="notification-settings" path="notification-settings" element={<NotificationSettingsPage />} />,
];
