/**
 * How well questionnaire answers are retrieved from the demo trust center, and how fast.
 *
 *   node --import tsx bench/questionnaire/run.ts [--database pglite|postgres] [--label NAME] [--misses]
 *
 * Seeds the demo tenant as `attest start` does (a fresh embedded database, or a fresh database on
 * TEST_DATABASE_URL with `--database postgres`), then asks POST /api/v1/answers's service every
 * question of questions.json. A question counts as answered at top-1 when the best proposal cites
 * one of the entries it is labelled with, at top-3 when one of the first three does. It then
 * times a 300-question batch (the labelled questions repeated) the way a workbook would be
 * answered, after one warm-up batch. Writes results/<label>.json; `--misses` lists the misses.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_SLUG, seedDemo } from '../../src/modules/demo/demo.js';
import { systemContext } from '../../src/platform/auth/context.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import { type Database, openDatabase } from '../../src/platform/db/client.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { createLocalBlobStore } from '../../src/platform/storage/local-blob-store.js';
import { createServices } from '../../src/services.js';
import { freshPostgresDatabase } from '../../test/support/databases.js';

interface LabelledQuestion {
  question: string;
  style: 'caiq' | 'sig' | 'free';
  language: 'en' | 'de';
  /** Entries a correct answer cites, as `kind:key` (knowledge_base, control, faq). */
  cites: string[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const database = argument('database', 'pglite');
const label = argument('label', `latest-${database}`);
const questions = JSON.parse(
  fs.readFileSync(path.join(here, 'questions.json'), 'utf8'),
) as LabelledQuestion[];

async function openFresh(): Promise<Database> {
  if (database === 'pglite') {
    const db = await openDatabase({ pgliteDir: 'memory://' });
    await migrate(db);
    return db;
  }
  const fresh = await freshPostgresDatabase();
  const db = await openDatabase({ url: fresh.url });
  await migrate(db);
  return {
    ...db,
    async close() {
      await db.close();
      await fresh.drop();
    },
  };
}

const db = await openFresh();
const blobs = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-questionnaire-bench-'));
try {
  const sealer = new Sealer(randomBytes(32));
  const servicesOn = (on: Database) => createServices({ db: on, sealer, blobs: createLocalBlobStore(blobs) });
  const services = servicesOn(db);
  const seeded = await seedDemo(
    { services, db, servicesOn },
    { email: 'owner@bench.example', password: 'a quiet unusual harbour 6620' },
  );
  if (!seeded) throw new Error(`the ${DEMO_SLUG} tenant was not seeded`);
  const ctx = systemContext(seeded.tenant.id, 'questionnaire-bench');

  const { answers } = await services.answers.answer(ctx, {
    questions: questions.map((item) => item.question),
    limit: 3,
  });
  let top1 = 0;
  let top3 = 0;
  const misses: { question: string; cites: string[]; got: string[] }[] = [];
  const byGroup = new Map<string, { total: number; top1: number }>();
  questions.forEach((item, index) => {
    const cited = (answers[index]?.proposals ?? []).map(
      (proposal) => `${proposal.sources[0]?.kind}:${proposal.sources[0]?.key}`,
    );
    const first = cited[0] !== undefined && item.cites.includes(cited[0]);
    if (first) top1 += 1;
    if (cited.some((source) => item.cites.includes(source))) top3 += 1;
    else misses.push({ question: item.question, cites: item.cites, got: cited });
    for (const group of [item.style, item.language]) {
      const counts = byGroup.get(group) ?? { total: 0, top1: 0 };
      counts.total += 1;
      if (first) counts.top1 += 1;
      byGroup.set(group, counts);
    }
    if (!first && process.argv.includes('--misses') && cited.some((source) => item.cites.includes(source)))
      console.log(
        `top-3 only: ${item.question}\n  want ${item.cites.join(', ')}\n  got  ${cited.join(', ')}`,
      );
  });

  const workbook = Array.from(
    { length: 300 },
    (_, index) => questions[index % questions.length]?.question ?? '',
  );
  await services.answers.answer(ctx, { questions: workbook, limit: 3 });
  const timings: number[] = [];
  for (let round = 0; round < 3; round += 1) {
    const started = performance.now();
    await services.answers.answer(ctx, { questions: workbook, limit: 3 });
    timings.push(performance.now() - started);
  }
  const result = {
    database,
    questions: questions.length,
    top1: top1 / questions.length,
    top3: top3 / questions.length,
    groups: Object.fromEntries(
      [...byGroup].map(([group, counts]) => [
        group,
        { questions: counts.total, top1: counts.top1 / counts.total },
      ]),
    ),
    workbookOf300Ms: Math.round([...timings].sort((a, b) => a - b)[1] ?? 0),
    measuredAt: new Date().toISOString(),
    node: process.version,
  };
  if (process.argv.includes('--misses'))
    for (const miss of misses) console.log('miss:', JSON.stringify(miss));
  console.log(
    `${questions.length} questions on ${database}: top-1 ${(result.top1 * 100).toFixed(1)} %, top-3 ${(result.top3 * 100).toFixed(1)} %, 300 questions in ${result.workbookOf300Ms} ms`,
  );
  fs.mkdirSync(path.join(here, 'results'), { recursive: true });
  fs.writeFileSync(path.join(here, 'results', `${label}.json`), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await db.close();
  fs.rmSync(blobs, { recursive: true, force: true });
}
