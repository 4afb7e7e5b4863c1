import type { EvidenceCheckKey } from '../evidence.contract.js';
import { auditLogIntegrity } from './audit-log-integrity.js';
import { backupFreshness } from './backup-freshness.js';
import type { EvidenceCheck } from './check.js';
import { containerRuntime } from './container-runtime.js';
import { dataDeletion } from './data-deletion.js';
import { dataPortability } from './data-portability.js';
import { encryptionAtRest } from './encryption-at-rest.js';
import { incidentNotification } from './incident-notification.js';
import { restoreDrill } from './restore-drill.js';
import { retention } from './retention.js';
import { securityHeadersCheck } from './security-headers.js';
import { sessionLimits } from './session-limits.js';
import { shortLivedTokens } from './short-lived-tokens.js';
import { subprocessorNotice } from './subprocessor-notice.js';
import { tenantIsolation } from './tenant-isolation.js';

export type { CheckDeps, CheckOutcome, EvidenceCheck } from './check.js';

/** Every check by its key: what `evidenceChecks[key].checks` describes, implemented. */
export const checks: Record<EvidenceCheckKey, EvidenceCheck> = {
  'tenant-isolation': tenantIsolation,
  'encryption-at-rest': encryptionAtRest,
  'security-headers': securityHeadersCheck,
  'short-lived-tokens': shortLivedTokens,
  'session-limits': sessionLimits,
  'audit-log-integrity': auditLogIntegrity,
  retention,
  'subprocessor-notice': subprocessorNotice,
  'incident-notification': incidentNotification,
  'data-portability': dataPortability,
  'data-deletion': dataDeletion,
  'container-runtime': containerRuntime,
  'backup-freshness': backupFreshness,
  'restore-drill': restoreDrill,
};
