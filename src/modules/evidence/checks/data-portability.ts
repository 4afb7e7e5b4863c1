import { isDeepStrictEqual } from 'node:util';
import { ServiceContext } from '../../../platform/auth/context.js';
import { formatTrustCenterFile, parseTrustCenterFile } from '../../content/transfer.service.js';
import type { EvidenceCheck } from './check.js';

/**
 * The export an owner downloads (`attest content export`, the console's export) formatted as the
 * documented YAML file and read back by the importer's own parser: the result must equal the export.
 */
export const dataPortability: EvidenceCheck = async ({ tenantId, transfer }) => {
  const ctx = new ServiceContext(tenantId, { kind: 'system', id: 'evidence' }, ['content:read']);
  const exported = await transfer.exportDraft(ctx);
  const file = formatTrustCenterFile(exported);
  let identical = false;
  try {
    identical = isDeepStrictEqual(
      JSON.parse(JSON.stringify(parseTrustCenterFile(file))),
      JSON.parse(JSON.stringify(exported)),
    );
  } catch {
    identical = false;
  }
  // The export is of the draft, which is not public: the result names no counts or sizes that
  // would let a visitor see unpublished changes coming.
  const facts = { format: 'YAML', identical };
  if (!identical) {
    return {
      status: 'fail',
      summary: 'The exported trust center file does not read back into the same content.',
      facts,
    };
  }
  return {
    status: 'pass',
    summary:
      'The whole trust center (profile, categories and controls, FAQ, subprocessors) exports as the documented YAML file, which the importer reads back without loss.',
    facts,
  };
};
