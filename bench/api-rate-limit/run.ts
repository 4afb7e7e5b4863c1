/**
 * What counting the API limit in the database costs per request, against counting in memory.
 *
 *   TEST_DATABASE_URL=postgres://… node --import tsx bench/api-rate-limit/run.ts [--requests N] [--rounds R] [--label NAME]
 *
 * For each database (PGlite always, PostgreSQL when TEST_DATABASE_URL is set) and each way of
 * counting (off, memory, database) it builds one app on a fresh database, makes one API key, and
 * sends N authenticated `GET /api/v1/controls` through inject(), one at a time and then 8 at a
 * time; it also times the limiter's `take()` alone. Rounds alternate the ways of counting so a
 * busy machine hurts each alike; each figure is the median over rounds. Writes results/<label>.json.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../src/app.js';
import { systemContext } from '../../src/platform/auth/context.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import { type Database, openDatabase } from '../../src/platform/db/client.js';
import { createApiRateLimiter } from '../../src/platform/http/api-rate-limit.js';
import { createDatabaseApiRateLimiter } from '../../src/platform/http/api-rate-limit-db.js';
import { pgliteTemplate, postgresTemplate } from '../../test/support/database-templates.js';
import { freshPostgresDatabase } from '../../test/support/databases.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const requests = Number(argument('requests', '2000'));
const rounds = Number(argument('rounds', '3'));
const label = argument('label', 'latest');
const CONCURRENCY = 8;
const ways = ['off', 'memory', 'database'] as const;
type Way = (typeof ways)[number];

async function openFresh(kind: 'pglite' | 'postgres'): Promise<Database> {
  if (kind === 'pglite')
    return openDatabase({ pgliteDir: 'memory://', pgliteTemplate: await pgliteTemplate() });
  const server = process.env.TEST_DATABASE_URL ?? '';
  const fresh = await freshPostgresDatabase(await postgresTemplate(server));
  const db = await openDatabase({ url: fresh.url });
  return {
    ...db,
    async close() {
      await db.close();
      await fresh.drop();
    },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Microseconds per request: sequential, CONCURRENCY in flight, and the limiter's take() alone. */
async function measure(kind: 'pglite' | 'postgres', way: Way): Promise<Record<string, number>> {
  const db = await openFresh(kind);
  const app = await createApp({
    db,
    sealer: new Sealer(randomBytes(32)),
    publicCacheMs: 0,
    apiRequestsPerMinute: way === 'off' ? 0 : 1_000_000_000,
    apiRateLimitCounting: way === 'memory' ? 'memory' : 'database',
  });
  try {
    const tenantId = (await app.services.tenants.create({ slug: 'bench', name: 'Bench Ltd' })).id;
    const ctx = systemContext(tenantId, 'bench');
    const key = (await app.services.apiKeys.create(ctx, { name: 'Bench', scopes: ['content:read'] })).secret;
    const one = async () => {
      const answer = await app.server.inject({
        method: 'GET',
        url: '/api/v1/controls',
        headers: { authorization: `Bearer ${key}` },
      });
      if (answer.statusCode !== 200) throw new Error(`${answer.statusCode} ${answer.body}`);
    };
    for (let index = 0; index < 200; index += 1) await one();
    let started = performance.now();
    for (let index = 0; index < requests; index += 1) await one();
    const sequentialUs = ((performance.now() - started) * 1000) / requests;
    started = performance.now();
    for (let index = 0; index < requests; index += CONCURRENCY)
      await Promise.all(Array.from({ length: CONCURRENCY }, one));
    const concurrentUs = ((performance.now() - started) * 1000) / requests;
    let takeUs = 0;
    if (way !== 'off') {
      const limiter =
        way === 'memory'
          ? createApiRateLimiter({ perMinute: 1_000_000_000 })
          : createDatabaseApiRateLimiter({ db, perMinute: 1_000_000_000 });
      started = performance.now();
      for (let index = 0; index < requests; index += 1) await limiter.take('api_key:bench', tenantId);
      takeUs = ((performance.now() - started) * 1000) / requests;
    }
    return { sequentialUs, concurrentUs, takeUs };
  } finally {
    await app.close();
  }
}

const kinds: ('pglite' | 'postgres')[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
const results: Record<string, Record<string, number>> = {};
for (const kind of kinds) {
  const samples: Record<Way, Record<string, number>[]> = { off: [], memory: [], database: [] };
  for (let round = 0; round < rounds; round += 1) {
    for (const way of round % 2 ? [...ways].reverse() : ways) samples[way].push(await measure(kind, way));
  }
  for (const way of ways) {
    const figures: Record<string, number> = {};
    for (const name of ['sequentialUs', 'concurrentUs', 'takeUs'])
      figures[name] = Math.round(median(samples[way].map((sample) => sample[name] ?? 0)));
    results[`${kind} ${way}`] = figures;
  }
  const memory = results[`${kind} memory`] ?? {};
  const database = results[`${kind} database`] ?? {};
  results[`${kind} database/memory`] = {
    sequentialUs: Number(((database.sequentialUs ?? 0) / (memory.sequentialUs || 1)).toFixed(2)),
    concurrentUs: Number(((database.concurrentUs ?? 0) / (memory.concurrentUs || 1)).toFixed(2)),
  };
}
const meta = {
  requests,
  rounds,
  concurrency: CONCURRENCY,
  node: process.version,
  loadavg: (await import('node:os')).loadavg(),
};
fs.mkdirSync(path.join(root, 'bench/api-rate-limit/results'), { recursive: true });
fs.writeFileSync(
  path.join(root, `bench/api-rate-limit/results/${label}.json`),
  `${JSON.stringify({ meta, results }, null, 2)}\n`,
);
console.table(results);
console.log(meta);
