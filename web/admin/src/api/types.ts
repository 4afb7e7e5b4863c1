import type {
  invitation,
  member,
  roleOutput,
  settingsInput,
} from '@attest/modules/accounts/accounts.contract.js';
import type { apiKeyView, createdApiKey } from '@attest/modules/api-keys/api-keys.contract.js';
import type { auditEvent, auditVerification } from '@attest/modules/audit/audit.contract.js';
import type {
  categoryResponse,
  controlResponse,
  faqEntryResponse,
  profileResponse,
  subprocessorResponse,
} from '@attest/modules/content/content.responses.js';
import type { knowledgeEntryResponse } from '@attest/modules/knowledge-base/knowledge-base.contract.js';
import type {
  draftChangesResponse,
  draftPreviewResponse,
  snapshotSummaryResponse,
} from '@attest/modules/publishing/publishing.contract.js';
import type { sessionView, trustCenterView } from '@attest/modules/sessions/sessions.contract.js';
import type { Permission } from '@attest/platform/auth/context.js';
import type { z } from 'zod';

/*
 * What the API answers, as the server's own response schemas describe it. Types only: nothing of
 * the server's runtime beyond the input contracts is bundled into the console.
 */

export type Profile = z.output<typeof profileResponse>;
export type Category = z.output<typeof categoryResponse>;
export type Control = z.output<typeof controlResponse>;
export type FaqEntry = z.output<typeof faqEntryResponse>;
export type Subprocessor = z.output<typeof subprocessorResponse>;
export type KnowledgeEntry = z.output<typeof knowledgeEntryResponse>;
export type DraftChanges = z.output<typeof draftChangesResponse>;
export type DraftPreview = z.output<typeof draftPreviewResponse>;
export type SnapshotSummary = z.output<typeof snapshotSummaryResponse>;
export type Member = z.output<typeof member>;
export type Invitation = z.output<typeof invitation>;
export type Role = z.output<typeof roleOutput>;
export type Settings = z.output<typeof settingsInput>;
export type ApiKey = z.output<typeof apiKeyView>;
export type CreatedApiKey = z.output<typeof createdApiKey>;
export type AuditEvent = z.output<typeof auditEvent>;
export type AuditVerification = z.output<typeof auditVerification>;
export type SessionView = z.output<typeof sessionView>;
/** GET /bff/trust-centers: one of the signed-in person's trust centers. */
export type TrustCenter = z.output<typeof trustCenterView>;

/** GET /bff/me */
export interface Me {
  user: { id: string; email: string };
  tenant: { slug: string; name: string };
  role: string;
  permissions: Permission[];
  mfa: { enabled: boolean; required: boolean };
  expiresAt: string;
}
