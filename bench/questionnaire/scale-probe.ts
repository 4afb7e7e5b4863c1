/**
 * How long a 300-question batch takes when the knowledge base is full (2,000 entries of made-up
 * prose with a skewed word frequency), on a fresh embedded database:
 *
 *   node --import tsx bench/questionnaire/scale-probe.ts
 */
import { randomBytes } from 'node:crypto';
import { systemContext } from '../../src/platform/auth/context.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import { openDatabase } from '../../src/platform/db/client.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { createServices } from '../../src/services.js';
import { sampleDocument } from '../../test/support/fixtures.js';

const db = await openDatabase({ pgliteDir: 'memory://' });
await migrate(db);
const services = createServices({ db, sealer: new Sealer(randomBytes(32)) });
const tenant = await services.tenants.create({ slug: 'big', name: 'Big' });
const ctx = systemContext(tenant.id);
// A vocabulary of 600 made-up words used with a skewed (Zipf-like) frequency, as real prose is.
const syllables = ['ka', 'lo', 'mi', 'tu', 're', 'sa', 'no', 'vi', 'de', 'pa'];
const words = Array.from(
  { length: 600 },
  (_, i) =>
    `${syllables[i % 10]}${syllables[Math.floor(i / 10) % 10]}${syllables[Math.floor(i / 100) % 10]}x`,
);
let seed = 7;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = (_i: number, n: number) =>
  Array.from({ length: n }, () => words[Math.floor(words.length * random() ** 2)]).join(' ');
const knowledgeBase = Array.from({ length: 2000 }, (_, i) => ({
  key: `entry-${i}`,
  question: `Question ${i} about ${pick(i, 6)}?`,
  answer: `Answer ${i}: ${pick(i + 3, 40)}.`,
  shortAnswer: null,
  owner: '',
  lastReviewedOn: null,
  reviewIntervalDays: 365,
  references: [],
  visibility: 'internal' as const,
}));
await services.transfer.importDraft(ctx, { ...sampleDocument('BIG'), knowledgeBase }, { publish: true });
const questions = Array.from(
  { length: 300 },
  (_, i) => `Do you have ${pick(i, 8)} controls in place for question ${i}?`,
);
await services.answers.answer(ctx, { questions });
const started = performance.now();
await services.answers.answer(ctx, { questions });
console.log(`2000 entries, 300 questions: ${Math.round(performance.now() - started)} ms`);
await db.close();
