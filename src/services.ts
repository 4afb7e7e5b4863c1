import { totpSecretsSealed } from './modules/accounts/accounts.jobs.js';
import { createMembersService } from './modules/accounts/members.service.js';
import { createMfaService } from './modules/accounts/mfa.service.js';
import { createRolesService } from './modules/accounts/roles.service.js';
import { createSettingsService } from './modules/accounts/settings.service.js';
import { createUsersService } from './modules/accounts/users.service.js';
import { createApiKeysService } from './modules/api-keys/api-keys.service.js';
import { auditLog, createAuditService } from './modules/audit/audit.service.js';
import {
  createCertificationsService,
  readCertificationSection,
} from './modules/certifications/certifications.service.js';
import { createControlsService } from './modules/content/controls.service.js';
import { createFaqService } from './modules/content/faq.service.js';
import { createProfileService } from './modules/content/profile.service.js';
import { createSubprocessorsService } from './modules/content/subprocessors.service.js';
import { createTransferService } from './modules/content/transfer.service.js';
import { createAccessRequestsService } from './modules/documents/access-requests.service.js';
import { createAccessSettingsService } from './modules/documents/access-settings.service.js';
import { existingDocumentIds } from './modules/documents/document-references.service.js';
import { createDocumentsService } from './modules/documents/documents.service.js';
import { createGrantsService } from './modules/documents/grants.service.js';
import { readDocumentSections } from './modules/documents/public-sections.js';
import { createVisitorDownloadsService } from './modules/documents/visitor-downloads.service.js';
import { createVisitorLinksService } from './modules/documents/visitor-links.service.js';
import { createEvidenceService } from './modules/evidence/evidence.service.js';
import { createHostChecksService } from './modules/host-checks/host-checks.service.js';
import { createAnswersService } from './modules/knowledge-base/answers.service.js';
import {
  createKnowledgeBaseService,
  readKnowledgeBaseSections,
} from './modules/knowledge-base/knowledge-base.service.js';
import { createNoticesService, type NoticeDispatcher } from './modules/notices/notices.service.js';
import { createPublishingService, type PublishedListener } from './modules/publishing/publishing.service.js';
import { createLoginThrottle } from './modules/sessions/login-throttle.js';
import { createSessionsService } from './modules/sessions/sessions.service.js';
import { createTenantSwitchService } from './modules/sessions/tenant-switch.service.js';
import { createSubprocessorChangesService } from './modules/subprocessor-changes/subprocessor-changes.service.js';
import { createNotificationSettingsService } from './modules/subscribers/notification-settings.service.js';
import { listKeysSealed } from './modules/subscribers/subscribers.jobs.js';
import { createSubscribersService } from './modules/subscribers/subscribers.service.js';
import { createTenantExportService } from './modules/tenant-export/tenant-export.service.js';
import { createTenantsService } from './modules/tenants/tenants.service.js';
import { trustKeysSealed } from './modules/trust/trust.jobs.js';
import { createTrustService } from './modules/trust/trust.service.js';
import { createIncidentsService } from './modules/updates/incidents.service.js';
import { createPostsService } from './modules/updates/posts.service.js';
import { readPublicSections } from './modules/updates/public-sections.js';
import { type Permission, systemContext } from './platform/auth/context.js';
import type { BackupStatus } from './platform/backup/backup-status.js';
import { type Clock, systemClock } from './platform/clock.js';
import { type SealedColumn, signingKeysSealed, tenantDataKeysSealed } from './platform/crypto/rewrap.js';
import type { Sealer } from './platform/crypto/sealing.js';
import type { Database } from './platform/db/client.js';
import { createFormRateLimiter } from './platform/http/form-rate-limit.js';
import { createOutboxService } from './platform/mail/outbox.js';
import { ignoreObservations, type Observer } from './platform/metrics/observer.js';
import type { AllowList } from './platform/net/addresses.js';
import { createNetGuard, type NetGuard } from './platform/net/safe-connect.js';
import type { BlobStore } from './platform/storage/blob-store.js';
import { createBlobVault } from './platform/storage/blob-vault.js';

export interface ServiceDeps {
  db: Database;
  /** Seals TOTP secrets; built from the master key. */
  sealer: Sealer;
  clock?: Clock;
  onPublished?: PublishedListener;
  /** Told after a commit in which a live evidence check began or stopped failing. */
  onEvidenceChanged?: (tenantId: string) => void;
  /** Queues the fan-out of a notice after commit (the worker's queue; a no-op without a worker). */
  dispatchNotice?: NoticeDispatcher;
  /** The public origin, for links in mails. */
  publicUrl?: string;
  /** Where encrypted document blobs rest; without it, document uploads and downloads fail. */
  blobs?: BlobStore;
  /** Called after a commit that queued mail (the mailer's kick); the mailer polls anyway. */
  mailQueued?: () => void;
  /** Where evidence runs are counted (the metrics); by default nowhere. */
  observe?: Observer;
  /**
   * How checks of tenants' own hosts reach them: the private ranges the operator allows
   * (ATTEST_CHECK_ALLOW_PRIVATE), or a whole guard; CAs trusted besides Node's; DNS servers.
   */
  hostChecks?: {
    allowPrivate?: AllowList;
    guard?: NetGuard;
    extraCa?: readonly string[];
    dnsServers?: readonly string[];
  };
  /** The installation's backups, for the backup evidence checks (decision 0027); null: none. */
  backups?: BackupStatus | null;
}

/** For processes that handle no documents (the CLI): any use of blobs is a configuration error. */
const noBlobStore: BlobStore = {
  driver: 'local',
  put: () => Promise.reject(new Error('no blob store is configured in this process')),
  get: () => Promise.reject(new Error('no blob store is configured in this process')),
  delete: () => Promise.reject(new Error('no blob store is configured in this process')),
  list: () => ({
    [Symbol.asyncIterator]: () => ({
      next: () => Promise.reject(new Error('no blob store is configured in this process')),
    }),
  }),
  removeTemporary: () => Promise.reject(new Error('no blob store is configured in this process')),
};

/** The composition root of the domain services; every process role builds its own from here. */
export function createServices({
  db,
  sealer,
  clock = systemClock,
  onPublished,
  onEvidenceChanged,
  dispatchNotice = () => {},
  publicUrl = 'http://127.0.0.1:3000',
  blobs = noBlobStore,
  mailQueued = () => {},
  observe = ignoreObservations,
  hostChecks = {},
  backups = null,
}: ServiceDeps) {
  const trust = createTrustService({ db, sealer, clock });
  const publishing = createPublishingService({
    db,
    clock,
    readSections: async (tx) => ({
      ...(await readPublicSections(tx)),
      ...(await readDocumentSections(tx)),
      ...(await readCertificationSection(tx)),
      ...(await readKnowledgeBaseSections(tx)),
    }),
    onSnapshot: trust.issueForSnapshot,
    ...(onPublished ? { onPublished } : {}),
  });
  const tenants = createTenantsService({ db });
  const users = createUsersService({ db, clock });
  const members = createMembersService({ db, clock, users, tenants });
  const roles = createRolesService({ db, clock });
  const vault = createBlobVault({ db, store: blobs, sealer, clock });
  /** The enabled members whose role holds `permission`, by e-mail address (who staff mails go to). */
  async function membersWith(tenantId: string, permission: Permission, purpose: string): Promise<string[]> {
    const ctx = systemContext(tenantId, purpose);
    const [people, roleList] = await Promise.all([members.list(ctx), roles.list(ctx)]);
    const holding = new Set(
      roleList.filter((role) => role.permissions.includes(permission)).map((role) => role.key),
    );
    return people
      .filter((person) => !person.disabled && holding.has(person.role))
      .map((person) => person.email);
  }
  /** The members who decide access requests: their role holds access_requests:manage. */
  const staffRecipients = (tenantId: string) =>
    membersWith(tenantId, 'access_requests:manage', 'access-requests');
  const transfer = createTransferService({ db, publishing, documentIdsIn: existingDocumentIds });
  const mfa = createMfaService({ db, clock, sealer });
  return {
    tenants,
    profile: createProfileService({ db }),
    controls: createControlsService({ db, documentIdsIn: existingDocumentIds }),
    faq: createFaqService({ db }),
    subprocessors: createSubprocessorsService({ db }),
    knowledgeBase: createKnowledgeBaseService({ db, clock }),
    answers: createAnswersService({ db }),
    publishing,
    trust,
    transfer,
    users,
    members,
    roles,
    settings: createSettingsService({ db, clock }),
    mfa,
    sessions: createSessionsService({
      db,
      clock,
      sealer,
      tenants,
      throttle: createLoginThrottle({ db, clock }),
      mfa,
    }),
    tenantSwitch: createTenantSwitchService({
      db,
      clock,
      tenants,
      limiter: createFormRateLimiter({ db, clock }),
    }),
    apiKeys: createApiKeysService({ db, clock }),
    audit: createAuditService({ db }),
    outbox: createOutboxService({ db, clock, audit: auditLog, mailQueued }),
    vault,
    documents: createDocumentsService({ db, vault, clock, publishing }),
    tenantExports: createTenantExportService({ db, vault, clock }),
    accessSettings: createAccessSettingsService({ db, clock, publishing }),
    accessRequests: createAccessRequestsService({ db, clock, publicUrl, staffRecipients, mailQueued }),
    grants: createGrantsService({ db, clock }),
    visitorLinks: createVisitorLinksService({ db, clock, publicUrl, mailQueued }),
    visitorDownloads: createVisitorDownloadsService({ db, vault, clock }),
    posts: createPostsService({ db, clock, publishing, dispatch: dispatchNotice }),
    incidents: createIncidentsService({ db, clock }),
    subprocessorChanges: createSubprocessorChangesService({
      db,
      clock,
      publishing,
      dispatch: dispatchNotice,
    }),
    notices: createNoticesService({ db, clock, dispatch: dispatchNotice, mailQueued }),
    subscribers: createSubscribersService({ db, sealer, clock, publicUrl, mailQueued }),
    notificationSettings: createNotificationSettingsService({ db, sealer, clock }),
    certifications: createCertificationsService({
      db,
      clock,
      publishing,
      publicUrl,
      staffRecipients: (tenantId) => membersWith(tenantId, 'documents:write', 'certifications'),
      mailQueued,
    }),
    evidence: createEvidenceService({
      db,
      clock,
      vault,
      sealer,
      transfer,
      publishing,
      onChecked: observe.evidenceChecked,
      backups,
      staffRecipients: (tenantId) => membersWith(tenantId, 'settings:manage', 'evidence'),
      publicUrl,
      onFailingChanged: (tenantId) => onEvidenceChanged?.(tenantId),
      mailQueued,
    }),
    hostChecks: createHostChecksService({
      db,
      clock,
      guard: hostChecks.guard ?? createNetGuard({ allowPrivate: hostChecks.allowPrivate ?? [] }),
      extraCa: hostChecks.extraCa,
      dnsServers: hostChecks.dnsServers,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;

/**
 * Every kind of sealed value at rest, for `attest master-key rewrap`: each is declared by the code
 * that owns its column (platform/crypto/rewrap.ts, the modules' *.jobs.ts) and listed here.
 */
export function sealedColumns(db: Database): SealedColumn[] {
  const tenants = createTenantsService({ db });
  return [
    signingKeysSealed,
    totpSecretsSealed,
    tenantDataKeysSealed,
    listKeysSealed(async () => (await tenants.list()).map((tenant) => tenant.id)),
    trustKeysSealed(async () => (await tenants.list()).map((tenant) => tenant.id)),
  ];
}
