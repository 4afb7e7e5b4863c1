#!/usr/bin/env node
// What one controls list costs in the server process, without HTTP: the list read through Drizzle
// into objects, mapped and stringified (as before), against the page PostgreSQL serializes itself
// (listControlsPage), on one tenant with 100 controls on PostgreSQL; and what compressing the
// answer costs at each brotli quality and gzip level. Plain Node ESM on the built code (dist/).
//
//   node bench/api/mapping.mjs      # BENCH_DATABASE_URL, BENCH_CALLS (300), BENCH_CONTROLS (100)
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const CONTROLS = Number(process.env.BENCH_CONTROLS ?? 100);
const dist = (file) => import(pathToFileURL(path.join(ROOT, 'dist', file)).href);
const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Median wall and mean process CPU of `calls` runs of `work`, in microseconds. */
async function time(calls, work) {
  for (let index = 0; index < 20; index += 1) await work();
  const walls = [];
  const cpu = process.cpuUsage();
  for (let index = 0; index < calls; index += 1) {
    const started = performance.now();
    await work();
    walls.push((performance.now() - started) * 1000);
  }
  const used = process.cpuUsage(cpu);
  walls.sort((a, b) => a - b);
  return {
    wallUs: round(walls[Math.floor(walls.length / 2)]),
    cpuUs: round((used.user + used.system) / calls),
  };
}

const pg = (await import('pg')).default;
const { openDatabase } = await dist('platform/db/client.js');
const { migrate } = await dist('platform/db/migrate.js');
const { Sealer } = await dist('platform/crypto/sealing.js');
const { createServices } = await dist('services.js');
const { systemContext } = await dist('platform/auth/context.js');
const { toControlResponse } = await dist('modules/content/content.responses.js');
const { page, pageText } = await dist('platform/http/api-route.js');

const name = `bench_mapping_${randomBytes(5).toString('hex')}`;
const admin = new pg.Client({ connectionString: DATABASE_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
await admin.end();
const url = new URL(DATABASE_URL);
url.pathname = `/${name}`;
const db = await openDatabase({ url: url.toString() });
try {
  await migrate(db);
  const services = createServices({
    db,
    sealer: new Sealer(randomBytes(32)),
    publicUrl: 'https://bench.example',
  });
  const tenant = await services.tenants.create({ slug: 'mapping', name: 'Mapping Ltd' });
  const ctx = systemContext(tenant.id);
  const category = await services.controls.createCategory(ctx, { key: 'all', name: 'All', description: '' });
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(
    `insert into controls (tenant_id, category_id, key, title, description, status, position, last_reviewed_on, framework_refs)
     select $1, $2, 'control-' || p, 'Control ' || p || ': access to production requires single sign-on',
            'Privileges are granted per role, reviewed every quarter and removed within one day of departure. ' ||
            'Customer data is encrypted at rest with AES-256 and in transit with TLS 1.2 or later. ' || md5(p::text),
            'implemented', p, date '2026-01-01' + p,
            jsonb_build_array(jsonb_build_object('framework', 'ISO 27001', 'reference', 'A.5.' || p),
                              jsonb_build_object('framework', 'SOC 2', 'reference', 'CC6.' || (p % 9)))
     from generate_series(0, $3 - 1) p`,
    [tenant.id, category.id, CONTROLS],
  );
  await client.end();
  const query = { limit: 200, offset: 0 };

  // As GET /api/v1/controls answered before: every control of the tenant as Drizzle objects, the
  // filter and page in memory, each mapped to its response, the page stringified.
  const hydrated = async () =>
    JSON.stringify(page((await services.controls.listControls(ctx)).map(toControlResponse), query));
  // As it answers now: the page as PostgreSQL wrote it.
  const lean = async () => {
    const found = await services.controls.listControlsPage(ctx, {}, query);
    return pageText(found.items, found.total, query).text;
  };
  const before = await time(CALLS, hydrated);
  const after = await time(CALLS, lean);
  const body = await lean();
  if (JSON.stringify(JSON.parse(body)) !== JSON.stringify(JSON.parse(await hydrated()))) {
    throw new Error('the two ways answer differently');
  }

  const compression = {};
  const sync = (work) => time(CALLS, async () => work());
  for (const quality of [1, 2, 3, 4, 5, 6]) {
    const options = {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: quality,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      },
    };
    const timed = await sync(() => zlib.brotliCompressSync(body, options));
    compression[`br ${quality}`] = { ...timed, bytes: zlib.brotliCompressSync(body, options).length };
  }
  for (const level of [1, 3, 6, 9]) {
    const timed = await sync(() => zlib.gzipSync(body, { level }));
    compression[`gzip ${level}`] = { ...timed, bytes: zlib.gzipSync(body, { level }).length };
  }
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadavg: os.loadavg().map((value) => round(value, 2)),
    controls: CONTROLS,
    calls: CALLS,
    bodyBytes: Buffer.byteLength(body),
    list: {
      hydrated: before,
      lean: after,
      ratio: { wallUs: round(after.wallUs / before.wallUs, 2), cpuUs: round(after.cpuUs / before.cpuUs, 2) },
    },
    compression,
  };
  console.log(JSON.stringify(report, null, 2));
  fs.mkdirSync(path.join(HERE, 'results'), { recursive: true });
  fs.writeFileSync(path.join(HERE, 'results', 'mapping.json'), `${JSON.stringify(report, null, 2)}\n`);
} finally {
  await db.close();
  const cleanup = new pg.Client({ connectionString: DATABASE_URL });
  await cleanup.connect();
  await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await cleanup.end();
}
