import * as foundation from './0001-foundation.js';
import * as identity from './0002-identity.js';
import * as mail from './0003-mail.js';
import * as documents from './0004-documents.js';
import * as updates from './0005-updates.js';
import * as mailRetention from './0006-mail-retention.js';
import * as keyRotation from './0007-key-rotation.js';
import * as tenantClosing from './0008-tenant-closing.js';
import * as evidence from './0009-evidence.js';
import * as controlEvidence from './0010-control-evidence.js';
import * as orphanUsers from './0011-orphan-users.js';
import * as tenantPurge from './0012-tenant-purge.js';
import * as secondFactorAttempts from './0013-second-factor-attempts.js';
import * as mailDelivery from './0014-mail-delivery.js';
import * as apiRateLimits from './0015-api-rate-limits.js';
import * as workerLeases from './0016-worker-leases.js';
import * as evidenceNotApplicable from './0017-evidence-not-applicable.js';
import * as tenantExports from './0018-tenant-exports.js';
import * as backupRuns from './0019-backup-runs.js';
import * as evidenceFailingSince from './0020-evidence-failing-since.js';
import * as trustManifests from './0021-trust-manifests.js';
import * as hostChecks from './0022-host-checks.js';
import * as controlProofAndCertifications from './0023-control-proof-and-certifications.js';
import * as contentRevisions from './0024-content-revisions.js';
import * as knowledgeBase from './0025-knowledge-base.js';
import * as hostCheckFailingSince from './0026-host-check-failing-since.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Every migration, in order. Applied ones must never change: their checksum is verified on start. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'foundation', sql: foundation.sql },
  { version: 2, name: 'identity', sql: identity.sql },
  { version: 3, name: 'mail', sql: mail.sql },
  { version: 4, name: 'documents', sql: documents.sql },
  { version: 5, name: 'updates', sql: updates.sql },
  { version: 6, name: 'mail-retention', sql: mailRetention.sql },
  { version: 7, name: 'key-rotation', sql: keyRotation.sql },
  { version: 8, name: 'tenant-closing', sql: tenantClosing.sql },
  { version: 9, name: 'evidence', sql: evidence.sql },
  { version: 10, name: 'control-evidence', sql: controlEvidence.sql },
  { version: 11, name: 'orphan-users', sql: orphanUsers.sql },
  { version: 12, name: 'tenant-purge', sql: tenantPurge.sql },
  { version: 13, name: 'second-factor-attempts', sql: secondFactorAttempts.sql },
  { version: 14, name: 'mail-delivery', sql: mailDelivery.sql },
  { version: 15, name: 'api-rate-limits', sql: apiRateLimits.sql },
  { version: 16, name: 'worker-leases', sql: workerLeases.sql },
  { version: 17, name: 'evidence-not-applicable', sql: evidenceNotApplicable.sql },
  { version: 18, name: 'tenant-exports', sql: tenantExports.sql },
  { version: 19, name: 'backup-runs', sql: backupRuns.sql },
  { version: 20, name: 'evidence-failing-since', sql: evidenceFailingSince.sql },
  { version: 21, name: 'trust-manifests', sql: trustManifests.sql },
  { version: 22, name: 'host-checks', sql: hostChecks.sql },
  { version: 23, name: 'control-proof-and-certifications', sql: controlProofAndCertifications.sql },
  { version: 24, name: 'content-revisions', sql: contentRevisions.sql },
  { version: 25, name: 'knowledge-base', sql: knowledgeBase.sql },
  { version: 26, name: 'host-check-failing-since', sql: hostCheckFailingSince.sql },
];
