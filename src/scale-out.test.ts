import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AttestProcess, startAttestProcess } from '../test/support/attest-process.js';
import { freshPostgresDatabase, hasPostgres } from '../test/support/databases.js';
import { sampleDocument } from '../test/support/fixtures.js';
import { ACCOUNT_FREE_FAILURES } from './modules/sessions/login-throttle.js';
import { systemContext } from './platform/auth/context.js';
import { Sealer } from './platform/crypto/sealing.js';
import { type Database, openDatabase } from './platform/db/client.js';
import { migrate } from './platform/db/migrate.js';
import { createServices } from './services.js';

const API_BUDGET = 10;

/**
 * The topology the deployment guide scales out to: two `--role web` processes and a worker, each
 * its own operating-system process, on one PostgreSQL. Limits are the point: a caller must not get
 * N times its budget from N replicas.
 */
describe.runIf(hasPostgres)('two web processes and a worker on one PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let db: Database;
  const processes: AttestProcess[] = [];
  let webs: AttestProcess[] = [];
  let apiKey = '';

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    const masterKey = randomBytes(32);
    // Migrated first, so the three processes start on a ready schema at the same time.
    db = await openDatabase({ url: database.url });
    await migrate(db);
    const services = createServices({ db, sealer: new Sealer(masterKey) });
    const tenant = await services.tenants.create({ slug: 'replicated', name: 'Replicated' });
    const ctx = systemContext(tenant.id, 'test');
    await services.transfer.importDraft(ctx, sampleDocument('Replicated'), { publish: true });
    apiKey = (await services.apiKeys.create(ctx, { name: 'budgeted', scopes: ['content:read'] })).secret;
    const env = {
      DATABASE_URL: database.url,
      ATTEST_MASTER_KEY: masterKey.toString('base64'),
      ATTEST_API_RATE_LIMIT: String(API_BUDGET),
    };
    const started = await Promise.all([
      startAttestProcess('web', env),
      startAttestProcess('web', env),
      startAttestProcess('worker', env),
    ]);
    processes.push(...started);
    webs = started.slice(0, 2);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((each) => each.stop()));
    await db?.close();
    await database?.drop();
  });

  it('both web processes serve the same published trust center', async () => {
    for (const web of webs) {
      const response = await fetch(`${web.url}/t/replicated/security`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('Replicated');
    }
  });

  it('an API key over its budget is refused by both processes, counted once for the two', async () => {
    const statuses: Record<string, number[]> = { first: [], second: [] };
    // Alternating: each process alone sees API_BUDGET / 2 + 1 calls, well inside the budget.
    for (let call = 0; call < API_BUDGET + 2; call += 1) {
      const web = webs[call % 2] as AttestProcess;
      const response = await fetch(`${web.url}/api/v1/controls`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      (call % 2 === 0 ? statuses.first : statuses.second)?.push(response.status);
    }
    const all = [...(statuses.first ?? []), ...(statuses.second ?? [])];
    expect(all.filter((status) => status === 200)).toHaveLength(API_BUDGET);
    expect(statuses.first?.at(-1)).toBe(429);
    expect(statuses.second?.at(-1)).toBe(429);
  });

  it('sign-in throttling counts the failures made at either process', async () => {
    const attempt = (web: AttestProcess) =>
      fetch(`${web.url}/bff/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: web.url },
        body: JSON.stringify({
          email: 'guess@replicated.example',
          password: 'one more wrong guess',
          tenant: 'replicated',
        }),
      }).then((response) => response.status);
    const statuses: number[] = [];
    // Alternating, so each process alone sees four failures: fewer than an account's free ones.
    for (let n = 0; n < 8; n += 1) statuses.push(await attempt(webs[n % 2] as AttestProcess));
    // The sixth failure locks the account (it counts, and sets the wait); the next attempts wait,
    // at the one process and at the other.
    const allowed = ACCOUNT_FREE_FAILURES + 1;
    expect(statuses.slice(0, allowed)).toEqual(Array(allowed).fill(401));
    expect(statuses.slice(allowed)).toEqual([429, 429]);
  });
});
