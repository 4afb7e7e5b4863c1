#!/usr/bin/env node
// Notice fan-out benchmark: one notice to 10,000, 50,000 and 100,000 subscribers, each size in a
// fresh database and a fresh child process (so each size has its own peak memory), timing the
// fan-out up to the outbox and sampling the process's memory. A sample of the mails is then
// delivered over SMTP to a local smtp-server sink. Plain Node ESM on the built code (dist/). See
// README.md beside this file.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const RESULTS_DIR = path.join(HERE, 'results');
const SIZES = (process.env.BENCH_SIZES ?? '10000,50000,100000').split(',').map(Number);
const DATABASES = (process.env.BENCH_DATABASES ?? 'postgres').split(',');
const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DELIVERY_SAMPLE = Number(process.env.BENCH_DELIVERY_SAMPLE ?? 2000);
const SAMPLE_MS = 20;

const dist = (file) => import(pathToFileURL(path.join(ROOT, 'dist', file)).href);

function vmHwmKb() {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** One size in this process: fresh database, N subscribers, one notice, fan-out, a delivery sample. */
async function child(size, kind) {
  const { openDatabase } = await dist('platform/db/client.js');
  const { migrate } = await dist('platform/db/migrate.js');
  const { Sealer } = await dist('platform/crypto/sealing.js');
  const { createServices } = await dist('services.js');
  const { systemContext } = await dist('platform/auth/context.js');
  const { createFanOut } = await dist('modules/notices/fan-out.js');
  const { createMailer } = await dist('platform/mail/mailer.js');
  const { createLogger } = await dist('platform/logging/logger.js');
  const { sql } = await import('drizzle-orm');
  const pg = (await import('pg')).default;
  const { SMTPServer } = await import('smtp-server');

  let db;
  let dropDatabase = async () => {};
  if (kind === 'postgres') {
    const name = `bench_notify_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    db = await openDatabase({ url: url.toString() });
    dropDatabase = async () => {
      const cleanup = new pg.Client({ connectionString: POSTGRES_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    };
  } else {
    db = await openDatabase({ pgliteDir: 'memory://' });
  }
  try {
    await migrate(db);
    const sealer = new Sealer(randomBytes(32));
    const services = createServices({ db, sealer, publicUrl: 'https://trust.bench.example' });
    const tenant = await services.tenants.create({ slug: 'bench', name: 'Bench Ltd' });
    const ctx = systemContext(tenant.id, 'bench');
    await services.profile.update(ctx, {
      companyName: 'Bench Ltd',
      securityContact: 'security@bench.example',
    });
    // The list is made by the database itself: the benchmark process never holds it.
    await db.orm.execute(sql`
      insert into subscribers (tenant_id, email, topics, confirmed_at, created_at)
      select ${tenant.id}::uuid, 'reader' || g || '@customers.example', '{all}', now(), now()
      from generate_series(1, ${size}) g`);
    const post = await services.posts.create(ctx, {
      kind: 'subprocessor',
      title: 'New subprocessor from 2027-01-01: Example Mail Ltd',
      body: 'We will use Example Mail Ltd (Ireland) to send notification mails.',
    });
    await services.posts.publish(ctx, post.id);
    const [notice] = await services.notices.list(ctx);

    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, SAMPLE_MS);
    const fanOut = createFanOut({
      db,
      sealer,
      clock: () => new Date(),
      publicUrl: 'https://trust.bench.example',
    });
    const started = performance.now();
    const result = await fanOut(tenant.id, notice.id);
    const fanOutMs = performance.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);

    // A sample of the outbox over SMTP to a local sink (the mailer's throughput, not the fan-out's).
    let delivered = 0;
    const sink = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => {
          delivered += 1;
          callback();
        });
      },
    });
    await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const mailer = createMailer({
      db,
      smtpUrl: `smtp://127.0.0.1:${sink.server.address().port}`,
      from: 'notices@attest.bench',
      clock: () => new Date(),
      logger: createLogger('silent'),
      concurrency: 8,
    });
    const deliveryStarted = performance.now();
    while (delivered < Math.min(DELIVERY_SAMPLE, size)) {
      const report = await mailer.deliverDue();
      if (report.sent === 0) break;
    }
    const deliveryMs = performance.now() - deliveryStarted;
    await mailer.stop();
    await new Promise((resolve) => sink.close(resolve));

    // The console's Notices screen: the list with each notice's mails counted by delivery state.
    const listTimes = [];
    for (let round = 0; round < 5; round += 1) {
      const listStarted = performance.now();
      await services.notices.list(ctx);
      listTimes.push(performance.now() - listStarted);
    }
    listTimes.sort((a, b) => a - b);

    const [{ count }] = (
      await db.orm.execute(
        sql`select count(*)::int as count from mail_outbox where tenant_id = ${tenant.id}::uuid`,
      )
    ).rows;
    return {
      database: kind,
      subscribers: size,
      outboxRows: count,
      recipients: result.recipients,
      batches: result.batches,
      fanOutSeconds: Math.round(fanOutMs) / 1000,
      mailsPerSecondToOutbox: Math.round(size / (fanOutMs / 1000)),
      rssBaselineMb: mb(baseline),
      rssPeakDuringFanOutMb: mb(peak),
      rssGrowthMb: mb(peak - baseline),
      vmHwmMb: Math.round(((vmHwmKb() ?? 0) / 1024) * 10) / 10,
      smtpSample: delivered,
      smtpMailsPerSecond: Math.round(delivered / (deliveryMs / 1000)),
      noticesListMs: Math.round(listTimes[2]),
    };
  } finally {
    await db.close();
    await dropDatabase();
  }
}

async function main() {
  if (process.argv[2] === '--child') {
    const result = await child(Number(process.argv[3]), process.argv[4]);
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    return;
  }
  if (!process.env.BENCH_SKIP_BUILD) {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  const results = [];
  for (const kind of DATABASES) {
    for (const size of SIZES) {
      process.stdout.write(`fan-out of one notice to ${size} subscribers on ${kind} …\n`);
      const run = spawnSync(
        process.execPath,
        ['--expose-gc', fileURLToPath(import.meta.url), '--child', String(size), kind],
        {
          cwd: ROOT,
          encoding: 'utf8',
          maxBuffer: 16 * 1024 * 1024,
          timeout: 30 * 60_000,
        },
      );
      const line = run.stdout.split('\n').find((text) => text.startsWith('RESULT '));
      if (run.status !== 0 || !line)
        throw new Error(`size ${size} on ${kind} failed:\n${run.stdout}\n${run.stderr}`);
      const result = JSON.parse(line.slice(7));
      results.push(result);
      process.stdout.write(`  ${JSON.stringify(result)}\n`);
    }
  }
  const header =
    '| database | subscribers | fan-out to outbox (s) | mails/s into outbox | RSS before (MB) | RSS peak during fan-out (MB) | growth (MB) | VmHWM (MB) | SMTP sample | SMTP mails/s | notices list (ms, median of 5) |';
  const rows = results.map(
    (r) =>
      `| ${r.database} | ${r.subscribers} | ${r.fanOutSeconds} | ${r.mailsPerSecondToOutbox} | ${r.rssBaselineMb} | ${r.rssPeakDuringFanOutMb} | ${r.rssGrowthMb} | ${r.vmHwmMb} | ${r.smtpSample} | ${r.smtpMailsPerSecond} | ${r.noticesListMs} |`,
  );
  const table = [header, `|${'---|'.repeat(11)}`, ...rows].join('\n');
  process.stdout.write(`\n${table}\n`);
  for (const kind of DATABASES) {
    const peaks = results.filter((r) => r.database === kind).map((r) => `${r.subscribers}: ${r.vmHwmMb} MB`);
    process.stdout.write(`peak memory (VmHWM) on ${kind} by list size: ${peaks.join(' | ')}\n`);
  }
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const machine = {
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
  };
  fs.writeFileSync(
    path.join(RESULTS_DIR, 'latest.json'),
    `${JSON.stringify({ date: new Date().toISOString(), machine, batchSize: 500, results }, null, 2)}\n`,
  );
  fs.writeFileSync(
    path.join(RESULTS_DIR, 'latest.md'),
    `# Notice fan-out, ${new Date().toISOString().slice(0, 10)}\n\nNode ${machine.node}, ${machine.cpus} × ${machine.cpu}, ${machine.memoryGb} GB.\n\n${table}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
