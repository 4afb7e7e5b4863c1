import { tenantKeys } from '../../../platform/crypto/tenant-keys.schema.js';
import { withTenant } from '../../../platform/db/tenancy.js';
import { purposeOf } from '../../../platform/storage/blob-vault.js';
import { newestDocumentFiles } from '../../documents/documents.service.js';
import { type EvidenceCheck, plural } from './check.js';

/** The newest files read back per run, and the most bytes: a check must not become a backup job. */
export const MAX_FILES = 50;
export const MAX_BYTES = 64 * 1024 * 1024;

/**
 * Reads the tenant's newest document files back from the blob store through the vault, which
 * decrypts and authenticates each (AES-256-GCM, "ATB1" format, tenant and blob bound as
 * additional data): a plaintext, truncated, moved or altered file fails. Then opens each of the
 * tenant's data keys with the master key, which only a sealed value survives.
 */
export const encryptionAtRest: EvidenceCheck = async ({ db, tenantId, vault, sealer }) => {
  const { versions, keys } = await withTenant(db, tenantId, async (tx) => ({
    versions: await newestDocumentFiles(tx, MAX_FILES),
    keys: await tx.select({ id: tenantKeys.id, sealedKey: tenantKeys.sealedKey }).from(tenantKeys),
  }));

  let bytes = 0;
  let checked = 0;
  let authenticated = 0;
  for (const version of versions) {
    if (checked > 0 && bytes + version.sizeBytes > MAX_BYTES) break;
    bytes += version.sizeBytes;
    checked += 1;
    try {
      await vault.read(tenantId, version.blobId);
      authenticated += 1;
    } catch {
      // Missing, not in the vault's format, or failing authentication: all count as failures.
    }
  }
  let sealedKeys = 0;
  for (const key of keys) {
    try {
      if (sealer.open(key.sealedKey, purposeOf(tenantId, key.id)).length === 32) sealedKeys += 1;
    } catch {
      // A key stored in the clear (or under another master key) does not open.
    }
  }

  const facts = {
    filesChecked: checked,
    filesAuthenticated: authenticated,
    bytesChecked: bytes,
    dataKeys: keys.length,
    dataKeysSealed: sealedKeys,
    cipher: 'AES-256-GCM',
  };
  const failed = checked - authenticated;
  if (failed > 0 || sealedKeys < keys.length) {
    const problems = [
      failed > 0 &&
        `${failed} of ${plural(checked, 'stored document file')} did not decrypt and authenticate`,
      sealedKeys < keys.length &&
        `${keys.length - sealedKeys} of ${plural(keys.length, 'data key')} ${keys.length - sealedKeys === 1 ? 'is' : 'are'} not sealed by the master key`,
    ].filter(Boolean);
    return { status: 'fail', summary: `${problems.join('; ')}.`, facts };
  }
  if (checked === 0) {
    return {
      status: 'pass',
      summary:
        keys.length === 0
          ? 'No document files are stored yet, so there is nothing to read back; a data key is created, sealed by the master key, with the first file.'
          : `No document files are stored yet; ${plural(keys.length, 'data key is', 'data keys are')} stored sealed by the master key.`,
      facts,
    };
  }
  return {
    status: 'pass',
    summary: `All ${plural(checked, 'document file')} read back from storage (the newest) decrypted and authenticated with AES-256-GCM under the trust center's data key, which is stored only sealed by the master key.`,
    facts,
  };
};
