import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { blobStoreFor, openConfiguredDatabase, sealerFor } from '../app.js';
import { appendAuditEvent } from '../modules/audit/audit.service.js';
import type { Manifest } from '../modules/tenant-export/export-format.js';
import { writeTenantArchive } from '../modules/tenant-export/export-writer.js';
import { importTenantArchive } from '../modules/tenant-export/import-reader.js';
import { systemClock } from '../platform/clock.js';
import type { Config } from '../platform/config.js';
import type { Database } from '../platform/db/client.js';
import { migrate } from '../platform/db/migrate.js';
import { withTenant } from '../platform/db/tenancy.js';
import { AppError } from '../platform/errors.js';
import { createServices } from '../services.js';

/**
 * `attest tenant export`: the archive to stdout, or to FILE through a temporary name in the same
 * folder, renamed only once the manifest (the last entry) is written and flushed. A killed export
 * leaves at most a `.partial` file, never one that looks complete.
 */
export async function exportTenantArchive(
  config: Config,
  slug: string,
  out: string | undefined,
): Promise<number> {
  const db = await openConfiguredDatabase(config);
  try {
    await migrate(db);
    const services = createServices({ db, sealer: sealerFor(config), blobs: blobStoreFor(config) });
    const tenant = await services.tenants.requireBySlug(slug);
    const source = { db, vault: services.vault, clock: systemClock };
    if (!out) {
      await recordExport(db, tenant.id, await writeTenantArchive(source, tenant.id, process.stdout));
      return 0;
    }
    const temporary = path.join(
      path.dirname(out),
      `.${path.basename(out)}.${randomBytes(6).toString('hex')}.partial`,
    );
    const file = fs.createWriteStream(temporary, { flags: 'wx', mode: 0o600 });
    try {
      const manifest = await writeTenantArchive(source, tenant.id, file);
      const handle = await fs.promises.open(temporary, 'r');
      await handle.sync();
      await handle.close();
      await fs.promises.rename(temporary, out);
      await recordExport(db, tenant.id, manifest);
      const documents = manifest.files.filter((entry) => entry.documentVersionId).length;
      process.stderr.write(
        `Exported tenant ${slug}: ${manifest.files.length + 1} files, ${documents} document file(s), to ${out}.\n`,
      );
      return 0;
    } catch (error) {
      file.destroy();
      await fs.promises.rm(temporary, { force: true });
      throw error;
    }
  } finally {
    await db.close();
  }
}

/** An export by the operator is in the tenant's audit log like one through the API. */
async function recordExport(db: Database, tenantId: string, manifest: Manifest): Promise<void> {
  await withTenant(db, tenantId, (tx) =>
    appendAuditEvent(tx, tenantId, {
      action: 'tenant.exported',
      actor: { kind: 'system', id: 'cli' },
      target: { type: 'tenant', id: tenantId },
      details: { files: manifest.files.length + 1, formatVersion: manifest.formatVersion },
    }),
  );
}

/** `attest tenant import`: a refused archive prints why and changes nothing (exit 1). */
export async function importTenantArchiveFile(
  config: Config,
  target: { slug: string; name: string },
  file: string,
): Promise<number> {
  if (!fs.existsSync(file)) {
    process.stderr.write(`attest: no such file: ${file}\n`);
    return 1;
  }
  const db = await openConfiguredDatabase(config);
  try {
    await migrate(db);
    const sealer = sealerFor(config);
    const services = createServices({ db, sealer, blobs: blobStoreFor(config) });
    const result = await importTenantArchive(
      { db, vault: services.vault, sealer, clock: systemClock },
      file,
      target,
    );
    const rows = Object.values(result.rows).reduce((sum, count) => sum + count, 0);
    process.stdout.write(
      `Imported ${file} as tenant ${result.slug} (${result.tenantId}): ${rows} row(s), ${result.documents} document file(s).\n` +
        'Members are listed in the archive but not imported: invite them to the new tenant.\n',
    );
    return 0;
  } catch (error) {
    if (error instanceof AppError && error.code === 'tenant_import.refused') {
      const why = error.details.map((detail) =>
        detail.path ? `${detail.path}: ${detail.message}` : detail.message,
      );
      process.stderr.write(`attest: the archive was refused, nothing was imported: ${why.join('; ')}\n`);
      return 1;
    }
    throw error;
  } finally {
    await db.close();
  }
}
