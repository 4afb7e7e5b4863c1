import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Route, Routes, useNavigate } from 'react-router';
import { onMfaEnrollmentRequired, onSessionEnded } from './api/client.js';
import { RequireSession } from './auth/require-session.js';
import { ME_KEY } from './auth/session.js';
import { AcceptInvitationPage } from './features/account/accept-invitation-page.js';
import { SessionsPage } from './features/account/sessions-page.js';
import { TwoFactorPage } from './features/account/two-factor-page.js';
import { ApiKeysPage } from './features/api-keys/api-keys-page.js';
import { AuditPage } from './features/audit/audit-page.js';
import { CategoriesPage } from './features/controls/categories-page.js';
import { ControlEditPage } from './features/controls/control-edit-page.js';
import { ControlsPage } from './features/controls/controls-page.js';
import { documentsRoutes } from './features/documents/navigation.js';
import { EvidencePage } from './features/evidence/evidence-page.js';
import { ExportsPage } from './features/exports/exports-page.js';
import { HomePage } from './features/home/home-page.js';
import { HostChecksPage } from './features/host-checks/host-checks-page.js';
import {
  FaqEditPage,
  FaqPage,
  SubprocessorEditPage,
  SubprocessorsPage,
} from './features/items/item-pages.js';
import { KnowledgeBasePage, KnowledgeEntryEditPage } from './features/knowledge-base/knowledge-base-pages.js';
import { MembersPage } from './features/members/members-page.js';
import { ProfilePage } from './features/profile/profile-page.js';
import { PreviewPage } from './features/publish/preview-page.js';
import { PublishPage } from './features/publish/publish-page.js';
import { SettingsPage } from './features/settings/settings-page.js';
import { SignInPage } from './features/sign-in/sign-in-page.js';
import { updatesRoutes } from './features/updates/navigation.js';
import { NotFoundPage } from './layout/not-found-page.js';
import { Shell } from './layout/shell.js';

export function App() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  useEffect(
    () =>
      onSessionEnded(() => {
        // Only a session that existed can end; a visitor who never signed in is sent by RequireSession.
        if (queryClient.getQueryData(ME_KEY) === undefined) return;
        navigate('/sign-in', { replace: true, state: { expired: true } });
        queryClient.clear();
      }),
    [navigate, queryClient],
  );
  useEffect(
    () =>
      onMfaEnrollmentRequired(() => navigate('/account/two-factor', { state: { enrollmentRequired: true } })),
    [navigate],
  );

  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/invitation" element={<AcceptInvitationPage />} />
      <Route
        element={
          <RequireSession>
            <Shell />
          </RequireSession>
        }
      >
        <Route index element={<HomePage />} />
        <Route path="profile" element={<ProfilePage />} />
        <Route path="controls" element={<ControlsPage />} />
        <Route path="controls/new" element={<ControlEditPage />} />
        <Route path="controls/:id" element={<ControlEditPage />} />
        <Route path="categories" element={<CategoriesPage />} />
        <Route path="faq" element={<FaqPage />} />
        <Route path="faq/new" element={<FaqEditPage />} />
        <Route path="faq/:id" element={<FaqEditPage />} />
        <Route path="subprocessors" element={<SubprocessorsPage />} />
        <Route path="subprocessors/new" element={<SubprocessorEditPage />} />
        <Route path="subprocessors/:id" element={<SubprocessorEditPage />} />
        <Route path="knowledge-base" element={<KnowledgeBasePage />} />
        <Route path="knowledge-base/new" element={<KnowledgeEntryEditPage />} />
        <Route path="knowledge-base/:id" element={<KnowledgeEntryEditPage />} />
        <Route path="preview" element={<PreviewPage />} />
        <Route path="publish" element={<PublishPage />} />
        <Route path="evidence" element={<EvidencePage />} />
        <Route path="host-checks" element={<HostChecksPage />} />
        <Route path="members" element={<MembersPage />} />
        <Route path="api-keys" element={<ApiKeysPage />} />
        <Route path="audit" element={<AuditPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="export" element={<ExportsPage />} />
        <Route path="account/sessions" element={<SessionsPage />} />
        <Route path="account/two-factor" element={<TwoFactorPage />} />
        {documentsRoutes}
        {updatesRoutes}
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
