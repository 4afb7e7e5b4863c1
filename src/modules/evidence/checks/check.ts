import type { BackupStatus } from '../../../platform/backup/backup-status.js';
import type { Clock } from '../../../platform/clock.js';
import type { Sealer } from '../../../platform/crypto/sealing.js';
import type { Database } from '../../../platform/db/client.js';
import type { BlobVault } from '../../../platform/storage/blob-vault.js';
import type { createTransferService } from '../../content/transfer.service.js';

export type TransferService = ReturnType<typeof createTransferService>;

/** What a check may use: the database (through withTenant / withPlatform), the clock, the vault. */
export interface CheckDeps {
  db: Database;
  clock: Clock;
  tenantId: string;
  vault: BlobVault;
  sealer: Sealer;
  transfer: Pick<TransferService, 'exportDraft'>;
  /** The installation's backups and restore drills (decision 0027); null: none configured here. */
  backups?: BackupStatus | null;
}

export type Facts = Record<string, number | string | boolean>;

/** A check's finding. Summary and facts are public: counts and settings, never names or secrets. */
export interface CheckOutcome {
  /** not_applicable: what the check looks at does not exist in this installation. */
  status: 'pass' | 'fail' | 'not_applicable';
  summary: string;
  facts: Facts;
}

export type EvidenceCheck = (deps: CheckDeps) => Promise<CheckOutcome>;

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
