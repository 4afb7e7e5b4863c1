/**
 * The complete tenant export at size: 10,000 subscribers, 50,000 audit events and 200 MB of documents.
 *
 *   TEST_DATABASE_URL=postgres://… node --import tsx bench/export/run.ts [--documents 40] [--document-mb 5] [--label NAME]
 *
 * Seeds one tenant on a fresh PostgreSQL database (subscribers and audit events by SQL, documents
 * through the documents service, so they are sealed like uploads), then runs one export in a child
 * process (export-once.ts: time, sampled peak RSS and maxRSS of that process alone), then imports the
 * archive into a new tenant in this process and times it. Writes results/<label>.json.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { importTenantArchive } from '../../src/modules/tenant-export/import-reader.js';
import { systemContext } from '../../src/platform/auth/context.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import { openDatabase } from '../../src/platform/db/client.js';
import { withTenant } from '../../src/platform/db/tenancy.js';
import { createLocalBlobStore } from '../../src/platform/storage/local-blob-store.js';
import { createServices } from '../../src/services.js';
import { postgresTemplate } from '../../test/support/database-templates.js';
import { freshPostgresDatabase } from '../../test/support/databases.js';
import { sampleDocument } from '../../test/support/fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const documentCount = Number(argument('documents', '40'));
const documentMb = Number(argument('document-mb', '5'));
const label = argument('label', 'latest');
const SUBSCRIBERS = 10_000;
const AUDIT_EVENTS = 50_000;

const server = process.env.TEST_DATABASE_URL;
if (!server) throw new Error('set TEST_DATABASE_URL (the child process needs a database it can open too)');
const fresh = await freshPostgresDatabase(await postgresTemplate(server));
const db = await openDatabase({ url: fresh.url });
const key = randomBytes(32);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-bench-export-'));
const blobDir = path.join(work, 'blobs');
fs.mkdirSync(blobDir);
const services = createServices({ db, sealer: new Sealer(key), blobs: createLocalBlobStore(blobDir) });

try {
  const seedStarted = performance.now();
  const tenant = await services.tenants.create({ slug: 'bench', name: 'Bench Ltd' });
  const ctx = systemContext(tenant.id, 'bench');
  await services.transfer.importDraft(ctx, sampleDocument('BENCH'), { publish: true });
  await withTenant(db, tenant.id, async (tx) => {
    await tx.execute(sql`
      insert into subscribers (tenant_id, email, topics, confirmed_at, created_at)
      select ${tenant.id}, 'reader' || n || '@bench.example', array['all'], now(), now()
      from generate_series(1, ${SUBSCRIBERS}) n`);
    await tx.execute(sql`
      insert into audit_events (tenant_id, seq, occurred_at, actor_kind, actor_id, action, target_type, target_id, client, details, prev_hash, hash)
      select ${tenant.id}, 1000 + n, now(), 'system', 'bench', 'document.downloaded', 'document', gen_random_uuid()::text, '203.0.113.0',
        jsonb_build_object('n', n), md5((n - 1)::text) || md5((n - 1)::text), md5(n::text) || md5(n::text)
      from generate_series(1, ${AUDIT_EVENTS}) n`);
  });
  for (let i = 0; i < documentCount; i += 1) {
    // Base64 text: uploads must be a known type; it compresses to about 3/4, like mixed office files.
    const data = Buffer.from(randomBytes(Math.floor((documentMb * 2 ** 20 * 3) / 4)).toString('base64'));
    await services.documents.create(
      ctx,
      { title: `Report ${i}`, category: 'pentest', accessLevel: 'gated' },
      { filename: `report-${i}.txt`, data },
    );
  }
  // Planner statistics, as autovacuum keeps them on a live database: without them a freshly bulk-loaded
  // table looks empty and each page is planned as a scan and sort of the whole table.
  await db.orm.execute(sql`analyze`);
  const seedMs = performance.now() - seedStarted;

  const out = path.join(work, 'bench.zip');
  const child = JSON.parse(
    execFileSync(
      process.execPath,
      [
        ...(process.argv.includes('--profile') ? ['--cpu-prof', '--cpu-prof-dir', here] : []),
        '--import',
        'tsx',
        path.join(here, 'export-once.ts'),
        fresh.url,
        blobDir,
        key.toString('hex'),
        tenant.id,
        out,
      ],
      { encoding: 'utf8', maxBuffer: 2 ** 20 },
    ),
  ) as Record<string, number>;

  const importStarted = performance.now();
  const imported = await importTenantArchive(
    { db, vault: services.vault, sealer: new Sealer(key), clock: () => new Date() },
    out,
    { slug: 'bench-copy', name: 'Bench copy' },
  );
  const importMs = performance.now() - importStarted;

  const result = {
    label,
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
      node: process.version,
    },
    seeded: {
      subscribers: SUBSCRIBERS,
      auditEvents: AUDIT_EVENTS,
      documents: documentCount,
      documentMB: documentCount * documentMb,
    },
    seedMs: Math.round(seedMs),
    export: child,
    import: {
      ms: Math.round(importMs),
      rows: Object.values(imported.rows).reduce((a, b) => a + b, 0),
      documents: imported.documents,
    },
  };
  fs.writeFileSync(path.join(here, 'results', `${label}.json`), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await db.close();
  await fresh.drop();
  fs.rmSync(work, { recursive: true, force: true });
}
