import type { ReactElement } from 'react';
import { Route } from 'react-router';
import type { NavGroup } from '../../layout/nav.js';
import { AccessRequestsPage } from './access-requests-page.js';
import { CertificationsPage } from './certifications-page.js';
import { DocumentPage } from './document-page.js';
import { DocumentsPage } from './documents-page.js';
import { GrantsPage } from './grants-page.js';
import { NdaPage } from './nda-page.js';
import { OutboxPage } from './outbox-page.js';

/** The console's documents and access section: its navigation group and its routes. */
export const documentsNavGroup: NavGroup = {
  heading: 'Documents and access',
  items: [
    { to: '/documents', label: 'Documents', permission: 'documents:read' },
    { to: '/certifications', label: 'Certifications', permission: 'documents:read' },
    { to: '/access-requests', label: 'Access requests', permission: 'access_requests:manage' },
    { to: '/grants', label: 'Grants', permission: 'access_requests:manage' },
    { to: '/nda', label: 'NDA and access rules', permission: 'documents:read' },
    { to: '/outbox', label: 'Mail outbox', permission: 'settings:read' },
  ],
};

export const documentsRoutes: ReactElement[] = [
  <Route key="documents" path="documents" element={<DocumentsPage />} />,
  <Route key="document" path="documents/:id" element={<DocumentPage />} />,
  <Route key="certifications" path="certifications" element={<CertificationsPage />} />,
  <Route key="access-requests" path="access-requests" element={<AccessRequestsPage />} />,
  <Route key="grants" path="grants" element={<GrantsPage />} />,
  <Route key="nda" path="nda" element={<NdaPage />} />,
  <Route key="outbox" path="outbox" element={<OutboxPage />} />,
];
