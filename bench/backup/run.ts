/**
 * How long a backup, a restore and a restore drill take, and how large the archive is, for the
 * demo and for a bigger tenant (decision 0027).
 *
 *   TEST_DATABASE_URL=postgres://… node --import tsx bench/backup/run.ts [--documents N] [--kib K] [--posts P] [--label NAME]
 *
 * For each database (PGlite on disk always, PostgreSQL when TEST_DATABASE_URL is set, dumped as
 * that URL's role) it seeds the demo, then a second tenant with N documents of K KiB of random
 * bytes (incompressible, like the encrypted files they become) and P published updates (each an
 * audit event), and times `createBackup`, `restoreBackup` into an empty target and a drill.
 * Writes results/<label>.json.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedDemo } from '../../src/modules/demo/demo.js';
import { REFERENCED_BLOB_KEYS_SQL } from '../../src/modules/documents/documents.jobs.js';
import { systemContext } from '../../src/platform/auth/context.js';
import { createBackup, restoreBackup } from '../../src/platform/backup/backup.js';
import { createBackupTarget } from '../../src/platform/backup/backup-target.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import { type Database, openDatabase } from '../../src/platform/db/client.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { createLocalBlobStore } from '../../src/platform/storage/local-blob-store.js';
import { createServices } from '../../src/services.js';
import { runRestoreDrill } from '../../src/worker/restore-drill.js';
import { freshPostgresDatabase } from '../../test/support/databases.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const documents = Number(argument('documents', '200'));
const kib = Number(argument('kib', '128'));
const posts = Number(argument('posts', '1000'));
const label = argument('label', 'latest');
const sealer = new Sealer(randomBytes(32));
const backupKey = randomBytes(32);

async function measure(
  kind: 'pglite' | 'postgres',
  stage: 'demo' | 'bigger',
  db: Database,
  dir: string,
  url?: string,
) {
  const blobs = createLocalBlobStore(path.join(dir, 'blobs'));
  const file = path.join(dir, `${stage}.attest`);
  const backup = await createBackup({
    db,
    backupUrl: url,
    blobs,
    backupKey,
    file,
    referencedBlobs: REFERENCED_BLOB_KEYS_SQL,
  });
  let restoreMs: number;
  if (kind === 'pglite') {
    const target = path.join(dir, `restored-${stage}`);
    restoreMs = (
      await restoreBackup({
        file,
        backupKey,
        target: { kind, dataDir: target },
        blobs: createLocalBlobStore(path.join(target, 'blobs')),
      })
    ).durationMs;
  } else {
    const fresh = await freshPostgresDatabase();
    try {
      restoreMs = (
        await restoreBackup({
          file,
          backupKey,
          target: { kind, url: fresh.url },
          blobs: createLocalBlobStore(path.join(dir, `restored-${stage}`)),
        })
      ).durationMs;
    } finally {
      await fresh.drop();
    }
  }
  const [archive] = await createBackupTarget(dir)
    .list()
    .then((all) => all.filter((a) => a.file === file));
  const drill = await runRestoreDrill({
    archive: archive ?? { name: path.basename(file), file, createdAt: backup.createdAt, bytes: backup.bytes },
    backupKey,
    sealer,
    clock: () => new Date(),
    kind,
    backupUrl: url,
  });
  if (!drill.ok) throw new Error(`drill failed: ${drill.error}`);
  return {
    kind,
    stage,
    archiveMB: Number((backup.bytes / 1024 / 1024).toFixed(1)),
    tables: backup.tables,
    rows: backup.rows,
    blobs: backup.blobs,
    backupMs: backup.durationMs,
    restoreMs,
    drillRestoreMs: drill.facts.restoreMs,
    documentsDecrypted: drill.facts.documentsDecrypted,
  };
}

async function run(kind: 'pglite' | 'postgres') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-bench-backup-'));
  const fresh = kind === 'postgres' ? await freshPostgresDatabase() : null;
  const db = fresh
    ? await openDatabase({ url: fresh.url })
    : await openDatabase({ pgliteDir: path.join(dir, 'pgdata') });
  try {
    await migrate(db);
    const blobs = createLocalBlobStore(path.join(dir, 'blobs'));
    const services = createServices({ db, sealer, blobs });
    await seedDemo(
      { services, db, servicesOn: (on) => createServices({ db: on, sealer, blobs }) },
      {
        email: 'owner@bench.example',
        password: 'a quiet unusual harbour 6620',
      },
    );
    const results = [await measure(kind, 'demo', db, dir, fresh?.url)];
    const tenant = await services.tenants.create({ slug: 'bigger', name: 'Bigger Ltd' });
    const ctx = systemContext(tenant.id, 'bench');
    for (let index = 0; index < documents; index += 1)
      await services.documents.create(
        ctx,
        { title: `Report ${index}`, accessLevel: 'public' },
        { filename: `report-${index}.txt`, data: Buffer.from(randomBytes(kib * 768).toString('base64')) },
      );
    for (let index = 0; index < posts; index += 1)
      await services.posts.create(ctx, {
        kind: 'general',
        title: `Update ${index}`,
        body: `Body of update ${index}.`,
      });
    results.push(await measure(kind, 'bigger', db, dir, fresh?.url));
    return results;
  } finally {
    await db.close();
    await fresh?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (const kind of process.env.TEST_DATABASE_URL
  ? (['pglite', 'postgres'] as const)
  : (['pglite'] as const)) {
  for (const result of await run(kind)) {
    console.log(JSON.stringify(result));
    results.push(result);
  }
}
fs.writeFileSync(
  path.join(here, 'results', `${label}.json`),
  `${JSON.stringify({ when: new Date().toISOString(), documents, kib, posts, cores: os.cpus().length, results }, null, 2)}\n`,
);
