import { isDeepStrictEqual } from 'node:util';
import { ServiceContext } from '../../../platform/auth/context.js';
import { formatTrustCenterFile, parseTrustCenterFile } from '../../content/transfer.service.js';
import { type EvidenceCheck, plural } from './check.js';

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
  const controls = exported.categories.reduce((total, category) => total + category.controls.length, 0);
  const facts = {
    categories: exported.categories.length,
    controls,
    faqEntries: exported.faq.length,
    subprocessors: exported.subprocessors.length,
    fileBytes: Buffer.byteLength(file),
    format: 'YAML',
    identical,
  };
  if (!identical) {
    return {
      status: 'fail',
      summary: 'The exported trust center file does not read back into the same content.',
      facts,
    };
  }
  return {
    status: 'pass',
    summary: `The whole trust center (${plural(exported.categories.length, 'category', 'categories')}, ${plural(controls, 'control')}, ${plural(exported.faq.length, 'FAQ entry', 'FAQ entries')}, ${plural(exported.subprocessors.length, 'subprocessor')}) exports as a ${Math.ceil(Buffer.byteLength(file) / 1024)} KB YAML file that the importer reads back without loss.`,
    facts,
  };
};
