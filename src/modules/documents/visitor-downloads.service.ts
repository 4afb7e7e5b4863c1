import { and, eq } from 'drizzle-orm';
import type { ServiceContext } from '../../platform/auth/context.js';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/db/client.js';
import { tenantTransaction } from '../../platform/db/tenant-transaction.js';
import { AppError } from '../../platform/errors.js';
import type { BlobVault } from '../../platform/storage/blob-vault.js';
import type { PublishedDocument } from '../publishing/snapshot.contract.js';
import { documentDownloads, documentVersions } from './documents.schema.js';
import type { VisitorAccess } from './grants.service.js';
import { watermarkPdf } from './watermark.js';
import './documents.errors.js';

/**
 * A gated PDF whose watermark failed: a file stored before uploads were tried with a watermark
 * (today's uploads are, in documents.service.ts). It carries the ids for the log; the visitor gets
 * document.watermark_failed, never the file without its watermark.
 */
export class WatermarkFailedError extends AppError {
  constructor(
    readonly documentId: string,
    readonly versionId: string,
    readonly reason: string,
  ) {
    super('document.watermark_failed');
  }
}

/**
 * Downloads from the public site. A public document goes to anyone; a gated one only to a visitor
 * whose grant (checked on this very request) names it, and a gated PDF carries that visitor's
 * watermark. Every download is logged with the version and, for visitors, the grant.
 */
export function createVisitorDownloadsService({
  db,
  vault,
  clock,
}: {
  db: Database;
  vault: BlobVault;
  clock: Clock;
}) {
  const run = tenantTransaction({ db, clock });

  return {
    async download(ctx: ServiceContext, document: PublishedDocument, access: VisitorAccess | null) {
      ctx.require('published:read');
      const gated = document.accessLevel === 'gated';
      if (
        gated &&
        (!access || access.tenantId !== ctx.tenantId || !access.documentIds.includes(document.id))
      ) {
        throw new AppError('visitor.access_required');
      }
      const [version] = await run(ctx, (tx) =>
        tx
          .select()
          .from(documentVersions)
          .where(
            and(eq(documentVersions.id, document.versionId), eq(documentVersions.documentId, document.id)),
          )
          .limit(1),
      );
      if (!version) throw new AppError('document.not_found');
      let bytes = await vault.read(ctx.tenantId, version.blobId);
      const now = clock();
      const watermarked = gated && access !== null && version.mediaType === 'application/pdf';
      if (watermarked && access) {
        const facts = {
          email: access.email,
          company: access.company,
          date: now.toISOString().slice(0, 10),
          grantId: access.grantId,
        };
        // The error's type only: a message could quote the watermark, which names the visitor.
        bytes = await watermarkPdf(bytes, facts).catch((error: unknown) => {
          throw new WatermarkFailedError(document.id, version.id, (error as Error)?.name ?? 'Error');
        });
      }
      await run(ctx, (tx) =>
        tx.insert(documentDownloads).values({
          tenantId: ctx.tenantId,
          documentId: document.id,
          versionId: version.id,
          version: version.version,
          grantId: access && gated ? access.grantId : null,
          actorKind: 'visitor',
          actorId: access && gated ? access.grantId : 'anonymous',
          watermarked,
          client: ctx.client,
          downloadedAt: now,
        }),
      );
      return { bytes, filename: version.filename, mediaType: version.mediaType, watermarked };
    },
  };
}

export type VisitorDownloadsService = ReturnType<typeof createVisitorDownloadsService>;
