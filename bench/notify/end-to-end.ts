/**
 * One notice to 100,000 subscribers, end to end: from the fan-out into the outbox to the last mail
 * accepted by a local SMTP sink, through the production mailer with the pipelined SMTP client.
 *
 *   TEST_DATABASE_URL=postgres://… node --import tsx bench/notify/end-to-end.ts [--subscribers 100000] [--connections 4]
 *
 * Runs in a child process (its VmHWM is the peak memory of the worker doing the work) on a fresh
 * PostgreSQL database; the sink is smtp-sink.mjs in its own process. The mailer is configured as
 * a worker configures it (`delivery`, the defaults but for `--connections`), so the figure is the
 * production client's. Floor: 100,000 delivered in ≤ 90 s at ≤ 250 MB. Writes
 * results/end-to-end-latest.json.
 */
import { fork, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { createFanOut } from '../../src/modules/notices/fan-out.js';
import { systemContext } from '../../src/platform/auth/context.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import { openDatabase } from '../../src/platform/db/client.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { createMailer, DEFAULT_SMTP_DELIVERY } from '../../src/platform/mail/mailer.js';
import { createServices } from '../../src/services.js';
import { postgresTemplate } from '../../test/support/database-templates.js';
import { freshPostgresDatabase } from '../../test/support/databases.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const SUBSCRIBERS = Number(argument('subscribers', '100000'));
const CONNECTIONS = Number(argument('connections', '4'));
const FLOOR = { seconds: 90, megabytes: 250 };
const load = () => os.loadavg().map((value) => Math.round(value * 100) / 100);

function vmHwmMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return match ? Math.round(Number(match[1]) / 102.4) / 10 : 0;
}

async function startSink() {
  const child = fork(path.join(here, 'smtp-sink.mjs'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (message) => resolve((message as { port: number }).port)),
  );
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted: () =>
      new Promise<number>((resolve) => {
        child.once('message', (message) => resolve((message as { accepted: number }).accepted));
        child.send('count');
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

async function child() {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error('set TEST_DATABASE_URL to a PostgreSQL server where databases may be created');
  const fresh = await freshPostgresDatabase(await postgresTemplate(server));
  const db = await openDatabase({ url: fresh.url });
  const sink = await startSink();
  try {
    const sealer = new Sealer(randomBytes(32));
    const services = createServices({ db, sealer, publicUrl: 'https://trust.bench.example' });
    const tenant = await services.tenants.create({ slug: 'bench', name: 'Bench Ltd' });
    const ctx = systemContext(tenant.id, 'bench');
    await services.profile.update(ctx, {
      companyName: 'Bench Ltd',
      tagline: 'Bench',
      intro: 'A benchmark trust center.',
      securityContact: 'security@bench.example',
    });
    await db.orm.execute(sql`
      insert into subscribers (tenant_id, email, topics, confirmed_at, created_at)
      select ${tenant.id}::uuid, 'reader' || g || '@customers.example', '{all}', now(), now()
      from generate_series(1, ${SUBSCRIBERS}) g`);
    const post = await services.posts.create(ctx, {
      kind: 'subprocessor',
      title: 'New subprocessor from 2027-01-01: Example Mail Ltd',
      body: 'We will use Example Mail Ltd (Ireland) to send notification mails.',
    });
    await services.posts.publish(ctx, post.id);
    const notice = (await services.notices.list(ctx)).items[0];
    if (!notice) throw new Error('no notice was recorded');

    const mailer = createMailer({
      db,
      smtpUrl: sink.url,
      from: 'notices@attest.bench',
      clock: () => new Date(),
      logger: createLogger('silent'),
      delivery: { ...DEFAULT_SMTP_DELIVERY, connections: CONNECTIONS },
    });
    const loadBefore = load();
    const started = performance.now();
    const fanOut = createFanOut({
      db,
      sealer,
      clock: () => new Date(),
      publicUrl: 'https://trust.bench.example',
    });
    await fanOut(tenant.id, notice.id);
    const fanOutSeconds = (performance.now() - started) / 1000;
    let rounds = 0;
    for (;;) {
      const report = await mailer.deliverDue();
      rounds += 1;
      if (report.sent + report.retrying + report.failed === 0) break;
    }
    const totalSeconds = (performance.now() - started) / 1000;
    await mailer.stop();
    const accepted = await sink.accepted();
    const counted = await db.orm.execute(
      sql`select status, count(*)::int as count from mail_outbox group by status`,
    );
    const statuses = (counted as unknown as { rows: { status: string; count: number }[] }).rows;
    return {
      subscribers: SUBSCRIBERS,
      connections: CONNECTIONS,
      fanOutSeconds: Math.round(fanOutSeconds * 10) / 10,
      deliverySeconds: Math.round((totalSeconds - fanOutSeconds) * 10) / 10,
      totalSeconds: Math.round(totalSeconds * 10) / 10,
      mailsPerSecondDelivered: Math.round(accepted / (totalSeconds - fanOutSeconds)),
      sinkAccepted: accepted,
      outbox: Object.fromEntries(statuses.map((row) => [row.status, row.count])),
      deliveryRounds: rounds,
      vmHwmMb: vmHwmMb(),
      loadBefore,
      loadAfter: load(),
    };
  } finally {
    await sink.stop();
    await db.close();
    await fresh.drop();
  }
}

async function main() {
  if (process.argv.includes('--child')) {
    process.stdout.write(`RESULT ${JSON.stringify(await child())}\n`);
    return;
  }
  const run = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--child', ...process.argv.slice(2)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
      timeout: 20 * 60_000,
    },
  );
  const line = run.stdout.split('\n').find((text) => text.startsWith('RESULT '));
  if (run.status !== 0 || !line) throw new Error(`the run failed:\n${run.stdout}`);
  const result = JSON.parse(line.slice(7));
  const met =
    result.totalSeconds <= FLOOR.seconds &&
    result.vmHwmMb <= FLOOR.megabytes &&
    result.sinkAccepted >= result.subscribers;
  process.stdout.write(
    `${JSON.stringify(result, null, 2)}\nfloor ${FLOOR.seconds} s and ${FLOOR.megabytes} MB: ${met ? 'met' : 'NOT met'}\n`,
  );
  fs.mkdirSync(path.join(here, 'results'), { recursive: true });
  fs.writeFileSync(
    path.join(here, 'results', 'end-to-end-latest.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, result, floor: FLOOR, met }, null, 2)}\n`,
  );
  if (!met) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
