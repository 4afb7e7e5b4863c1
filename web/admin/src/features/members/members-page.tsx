import { PageHeader } from '../../ui/page-header.js';
import { InvitationsSection } from './invitations-section.js';
import { MembersSection } from './members-section.js';
import { RolesSection } from './roles-section.js';

export function MembersPage() {
  return (
    <>
      <PageHeader
        title="Members and roles"
        description="Who can work on this trust center, and what each role may do."
      />
      <div className="stack-lg">
        <MembersSection />
        <InvitationsSection />
        <RolesSection />
      </div>
    </>
  );
}
