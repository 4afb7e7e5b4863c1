import YAML from 'yaml';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import { readKnowledgeBase, replaceKnowledgeBase } from '../knowledge-base/knowledge-base.service.js';
import type { PublishingService, PublishResult } from '../publishing/publishing.service.js';
import { type TrustCenterDocument, trustCenterDocument } from './content.contract.js';
import type { DocumentIdsLookup } from './controls.service.js';
import { readDraft, replaceDraft } from './draft.service.js';
import './content.errors.js';

const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** Parses and validates a trust-center file; every problem is reported with its path. */
export function parseTrustCenterFile(source: string): TrustCenterDocument {
  if (Buffer.byteLength(source) > MAX_FILE_BYTES) {
    throw new AppError('content.invalid_import', [{ path: '', message: 'file is larger than 2 MB' }]);
  }
  let raw: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both. Aliases are capped against expansion bombs.
    raw = YAML.parse(source, { maxAliasCount: 100, prettyErrors: true });
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? 'unreadable') : 'unreadable';
    throw new AppError('content.invalid_import', [{ path: '', message: `not valid YAML: ${message}` }]);
  }
  const parsed = trustCenterDocument.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(
      'content.invalid_import',
      parsed.error.issues
        .slice(0, 50)
        .map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  return parsed.data;
}

export function formatTrustCenterFile(document: TrustCenterDocument): string {
  return `# Attest trust center file. Edit it and load it back with \`attest content import\`.\n${YAML.stringify(document, { lineWidth: 100 })}`;
}

/**
 * Trust center as code: the whole draft out as one YAML document and back in. An import runs in a
 * single transaction (with the publish, when asked), so a failure changes nothing.
 */
/** A file may name only documents of the trust center it is loaded into; the others are reported by path. */
async function requireFileDocuments(tx: Tx, lookup: DocumentIdsLookup, document: TrustCenterDocument) {
  const named = document.categories.flatMap((category, c) =>
    category.controls.flatMap((control, k) =>
      (control.documents ?? []).map((id, d) => ({
        id,
        path: `categories.${c}.controls.${k}.documents.${d}`,
      })),
    ),
  );
  if (named.length === 0) return;
  const found = await lookup(
    tx,
    named.map((entry) => entry.id),
  );
  const missing = named.filter((entry) => !found.has(entry.id));
  if (missing.length) {
    throw new AppError(
      'content.invalid_import',
      missing
        .slice(0, 50)
        .map((entry) => ({ path: entry.path, message: 'no such document in this trust center' })),
    );
  }
}

export function createTransferService({
  db,
  publishing,
  documentIdsIn = async () => new Set(),
}: {
  db: Database;
  publishing: PublishingService;
  documentIdsIn?: DocumentIdsLookup;
}) {
  const run = tenantTransaction({
    db,
    errors: { codes: { '23505': 'content.key_taken', '23503': 'content.not_found' } },
  });

  return {
    async exportDraft(ctx: ServiceContext): Promise<TrustCenterDocument> {
      ctx.require('content:read');
      return run(ctx, async (tx) => {
        const draft = await readDraft(tx, ctx.tenantId);
        const knowledgeBase = await readKnowledgeBase(tx);
        return knowledgeBase.length > 0 ? { ...draft, knowledgeBase } : draft;
      });
    },

    async importDraft(
      ctx: ServiceContext,
      document: TrustCenterDocument,
      options: { publish?: boolean } = {},
    ): Promise<PublishResult | null> {
      ctx.require('content:write');
      if (options.publish) ctx.require('content:publish');
      const parsed = trustCenterDocument.parse(document);
      const result = await run(ctx, async (tx) => {
        await requireFileDocuments(tx, documentIdsIn, parsed);
        await replaceDraft(tx, ctx.tenantId, parsed);
        if (parsed.knowledgeBase) await replaceKnowledgeBase(tx, ctx.tenantId, parsed.knowledgeBase);
        return options.publish ? publishing.publishIn(tx, ctx) : null;
      });
      if (result?.changed) publishing.notifyPublished(ctx.tenantId, result.version);
      return result;
    },
  };
}
