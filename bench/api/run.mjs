#!/usr/bin/env node
// Tenant API benchmark: 10,000 tenants × 100 controls on PostgreSQL, the real server
// (`attest start --role web`), and a fixed-rate open-loop load of `GET /api/v1/controls` and
// `GET /api/v1/controls/:id` with many tenants' API keys, with and without `Accept-Encoding: br`.
// Plain Node ESM on the built code (dist/). See README.md beside this file.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const RESULTS_DIR = path.join(HERE, 'results');

const env = process.env;
const settings = {
  databaseUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  tenants: Number(env.BENCH_TENANTS ?? 10_000),
  controls: Number(env.BENCH_CONTROLS ?? 100),
  keys: Number(env.BENCH_KEYS ?? 2_000),
  rate: Number(env.BENCH_RATE ?? 500),
  duration: Number(env.BENCH_DURATION ?? 20),
  warmup: Number(env.BENCH_WARMUP ?? 5),
  connections: Number(env.BENCH_CONNECTIONS ?? 64),
  limit: Number(env.BENCH_LIMIT ?? 100),
  scenarios: (env.BENCH_SCENARIOS ?? 'list,list-br,item,item-br').split(','),
  reference: env.BENCH_REFERENCE ?? '',
  label: env.BENCH_LABEL ?? 'latest',
  logLevel: env.BENCH_LOG_LEVEL ?? 'info',
  nodeArgs: (env.BENCH_ATTEST_NODE_ARGS ?? '').split(' ').filter(Boolean),
  floorP99Ms: 50,
  goalP99Ms: 20,
};
const CATEGORIES = 5;
// One key for the run: both servers open the signing key the first one sealed with it.
const MASTER_KEY = randomBytes(32).toString('base64');

const SENTENCES = [
  'Access to production systems requires single sign-on with a hardware-backed second factor.',
  'Privileges are granted per role, reviewed every quarter and removed within one day of departure.',
  'Customer data is encrypted at rest with AES-256 and in transit with TLS 1.2 or later.',
  'Backups are taken every hour, kept for thirty days and restored in a drill every month.',
  'Changes to production pass code review by a second engineer and an automated test suite.',
  'Security events are collected centrally, kept for a year and reviewed by an on-call engineer.',
  'Vulnerabilities rated critical are fixed within seven days, high within thirty days.',
  'Every employee completes security awareness training at hiring and once a year after.',
  'Vendors that process customer data are assessed before use and reviewed every year.',
  'An incident response plan names roles, channels and deadlines, and is exercised twice a year.',
  'Each tenant is isolated by row-level security enforced in the database on every query.',
  'Penetration tests by an independent firm run once a year and after major changes.',
  'Laptops are managed centrally, encrypted, and locked after five minutes without use.',
  'Secrets live in a managed vault; none are stored in source code or build logs.',
  'Service availability is monitored from three regions with paging on sustained errors.',
  'Data is deleted within thirty days of the end of a contract, and the deletion is logged.',
];
const FRAMEWORKS = ['ISO 27001', 'SOC 2', 'NIST CSF', 'CIS Controls'];
const STATUSES = ['implemented', 'implemented', 'implemented', 'in_progress', 'planned'];

const sqlArray = (values) => `array[${values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ')}]`;

/** The whole data set, made by PostgreSQL itself (generate_series): this process never holds it. */
function seedStatements() {
  const perCategory = Math.ceil(settings.controls / CATEGORIES);
  return [
    `insert into tenants (slug, name)
       select 'bench-' || g, 'Bench Tenant ' || g from generate_series(1, ${settings.tenants}) g`,
    `insert into control_categories (tenant_id, key, name, description, position)
       select t.id, 'category-' || c, 'Category ' || c, 'What the controls of category ' || c || ' cover.', c - 1
       from tenants t, generate_series(1, ${CATEGORIES}) c`,
    `insert into controls (tenant_id, category_id, key, title, description, status, position,
                           last_reviewed_on, review_interval_days, framework_refs)
       select cc.tenant_id, cc.id, 'control-' || cc.position || '-' || p,
              'Control ' || (cc.position * ${perCategory} + p) || ': ' || (${sqlArray(SENTENCES)})[1 + (p % ${SENTENCES.length})],
              (${sqlArray(SENTENCES)})[1 + ((p * 3 + cc.position) % ${SENTENCES.length})] || ' ' ||
              (${sqlArray(SENTENCES)})[1 + ((p * 7 + 1) % ${SENTENCES.length})] || ' ' ||
              (${sqlArray(SENTENCES)})[1 + ((p * 11 + 5) % ${SENTENCES.length})],
              (${sqlArray(STATUSES)})[1 + (p % ${STATUSES.length})],
              p - 1,
              date '2026-01-01' + ((p * 13) % 300),
              365,
              jsonb_build_array(
                jsonb_build_object('framework', (${sqlArray(FRAMEWORKS)})[1 + (p % 4)], 'reference', 'A.' || (5 + p % 14) || '.' || p),
                jsonb_build_object('framework', (${sqlArray(FRAMEWORKS)})[1 + ((p + 1) % 4)], 'reference', 'CC' || (p % 9) || '.' || (p % 5)))
       from control_categories cc, generate_series(1, ${perCategory}) p
       where cc.position * ${perCategory} + p <= ${settings.controls}`,
    // Keys hashed as the key service hashes them (SHA-256 hex of the secret part); created by the
    // system (no person), which is how `attest` and provisioning create them.
    `create temporary table bench_keys as
       select t.id as tenant_id, substr(md5(random()::text) || md5(random()::text), 1, 43) as secret
       from tenants t order by t.slug limit ${settings.keys}`,
    `insert into api_keys (tenant_id, name, prefix, secret_hash, scopes, created_at, expires_at)
       select tenant_id, 'bench', 'attest_…' || right(secret, 4), encode(sha256(convert_to(secret, 'UTF8')), 'hex'),
              '{content:read}', now(), now() + interval '30 days'
       from bench_keys`,
    'analyze',
  ];
}

const dist = (root, file) => import(pathToFileURL(path.join(root, 'dist', file)).href);

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** user + system CPU seconds of a process (clock ticks of /proc/<pid>/stat, 100 per second). */
function processCpu(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat(5); after "pid (comm) " they are 11 and 12.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN; // no /proc: the CPU column is left empty
  }
}

const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const loadavg = () => os.loadavg().map((value) => round(value, 2));

async function startServer(root, { port, databaseUrl, logFile }) {
  const log = fs.openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [...settings.nodeArgs, path.join(root, 'dist', 'cli', 'main.js'), 'start', '--role', 'web', '--no-demo'],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        ATTEST_PUBLIC_URL: `http://127.0.0.1:${port}`,
        ATTEST_MASTER_KEY: MASTER_KEY,
        LOG_LEVEL: settings.logLevel,
      },
      stdio: ['ignore', log, log],
    },
  );
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`server at ${root} exited:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    const ok = await new Promise((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/readyz' }, (response) => {
          response.resume();
          resolve(response.statusCode === 200);
        })
        .on('error', () => resolve(false));
    });
    if (ok) return child;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`server at ${root} not ready within 60 s: see ${logFile}`);
}

async function stopServer(child) {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * The load generator (a child process of its own, so it does not share this process's event loop):
 * a request is due every 1/rate seconds whatever the server does (open loop), and its latency is
 * counted from when it was due, so a server that falls behind sees the queueing (no coordinated
 * omission). Keys and ids rotate so that consecutive requests come from different tenants.
 */
async function loadGenerator(config) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.connections });
  const interval = 1000 / config.rate;
  const warmupCount = Math.round(config.warmup * config.rate);
  const total = warmupCount + Math.round(config.duration * config.rate);
  const latencies = new Float64Array(total);
  const measured = [];
  let completed = 0;
  let errors = 0;
  let non2xx = 0;
  let bytes = 0;
  let headerBytes = 0;
  let sent = 0;
  const statusCounts = {};
  const started = performance.now() + 20;
  let measureStart = 0;
  let measureEnd = 0;
  let unfinished = 0;

  await new Promise((resolve) => {
    // A server that cannot keep up would take minutes to drain its backlog: what has not been
    // answered 30 s after the last request was due is counted as unfinished (an error).
    const deadline = setTimeout(
      () => {
        unfinished = total - completed;
        measureEnd = performance.now();
        resolve();
      },
      (config.warmup + config.duration) * 1000 + 30_000,
    );
    const finish = (index, latency) => {
      latencies[index] = latency;
      completed += 1;
      if (index >= warmupCount) {
        measured.push(latency);
        measureEnd = Math.max(measureEnd, performance.now());
      }
      if (completed === total) {
        clearTimeout(deadline);
        resolve();
      }
    };
    const fire = (index, dueAt) => {
      const target = config.targets[index % config.targets.length];
      const request = http.get(
        {
          agent,
          host: '127.0.0.1',
          port: config.port,
          path: target.path,
          headers: { authorization: target.authorization, ...config.headers },
          timeout: 10_000,
        },
        (response) => {
          let size = 0;
          response.on('data', (chunk) => {
            size += chunk.length;
          });
          response.on('end', () => {
            if (index >= warmupCount) {
              bytes += size;
              headerBytes += response.rawHeaders.reduce((sum, part) => sum + part.length + 2, 0) + 17;
              statusCounts[response.statusCode] = (statusCounts[response.statusCode] ?? 0) + 1;
              if (response.statusCode < 200 || response.statusCode >= 300) non2xx += 1;
            }
            finish(index, performance.now() - dueAt);
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', () => {
        if (index >= warmupCount) errors += 1;
        finish(index, performance.now() - dueAt);
      });
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total) {
        const dueAt = started + sent * interval;
        if (dueAt > now) break;
        if (sent === warmupCount) measureStart = dueAt;
        fire(sent, dueAt);
        sent += 1;
      }
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * interval - performance.now()));
    };
    setTimeout(tick, 20);
  });
  agent.destroy();
  const sorted = Float64Array.from(measured).sort();
  const seconds = (measureEnd - measureStart) / 1000;
  return {
    requests: measured.length,
    achievedRate: round(measured.length / seconds, 1),
    p50Ms: round(percentile(sorted, 50), 2),
    p90Ms: round(percentile(sorted, 90), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    maxMs: round(sorted[sorted.length - 1] ?? 0, 2),
    errors: errors + unfinished,
    unfinished,
    non2xx,
    statusCounts,
    meanBodyBytes: Math.round(bytes / Math.max(1, measured.length)),
    meanHeaderBytes: Math.round(headerBytes / Math.max(1, measured.length)),
  };
}

async function runLoad(config) {
  const file = path.join(config.tmp, `load-${randomBytes(4).toString('hex')}.json`);
  fs.writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--load', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  const cpuBefore = { server: processCpu(config.serverPid), self: process.cpuUsage() };
  const load1 = loadavg();
  const [code] = await new Promise((resolve) => child.once('exit', (...args) => resolve(args)));
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  const result = JSON.parse(out);
  const wall = config.warmup + config.duration;
  const serverCpu = processCpu(config.serverPid) - cpuBefore.server;
  return {
    ...result,
    serverCpuShare: round(serverCpu / wall, 2),
    loadavgBefore: load1,
    loadavgAfter: loadavg(),
  };
}

/**
 * Waits until the previous run's backlog is gone: no statement running in the bench database and
 * the server's CPU near idle. A server that fell behind keeps working on requests the load
 * generator gave up on, and would slow the next run (the other server's) down.
 */
async function drain(client, name, serverPid) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const { rows } = await client.query(
      `select count(*)::int as busy from pg_stat_activity
       where datname = $1 and state <> 'idle' and pid <> pg_backend_pid()`,
      [name],
    );
    const before = processCpu(serverPid);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cpu = (processCpu(serverPid) - before) / 0.5;
    if (rows[0].busy === 0 && !(cpu > 0.1)) return;
  }
  console.log('WARNING: the server was still busy 120 s after a run');
}

const SCENARIOS = {
  list: { kind: 'list', headers: {} },
  'list-br': { kind: 'list', headers: { 'accept-encoding': 'br' } },
  'list-gzip': { kind: 'list', headers: { 'accept-encoding': 'gzip' } },
  item: { kind: 'item', headers: {} },
  'item-br': { kind: 'item', headers: { 'accept-encoding': 'br' } },
};

async function main() {
  if (!env.BENCH_SKIP_BUILD) {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) process.exit(2);
  }
  const pg = (await import('pg')).default;
  const { openDatabase } = await dist(ROOT, 'platform/db/client.js');
  const { migrate } = await dist(ROOT, 'platform/db/migrate.js');

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-bench-api-'));
  const name = `bench_api_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: settings.databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(settings.databaseUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const servers = [];
  const cleanup = async () => {
    for (const server of servers) await stopServer(server.child);
    const dropper = new pg.Client({ connectionString: settings.databaseUrl });
    await dropper.connect();
    await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await dropper.end();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => cleanup().finally(() => process.exit(130)));

  try {
    const db = await openDatabase({ url: databaseUrl });
    await migrate(db);
    await db.close();

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const seedStarted = performance.now();
    for (const statement of seedStatements()) await client.query(statement);
    const seedSeconds = round((performance.now() - seedStarted) / 1000, 1);
    const { rows: keyed } = await client.query(
      `select k.tenant_id, k.secret,
              (select c.id from controls c where c.tenant_id = k.tenant_id order by c.position, c.key
               offset (abs(hashtext(k.secret)) % ${settings.controls}) limit 1) as control_id
       from bench_keys k`,
    );
    const { rows: sizes } = await client.query(
      `select pg_size_pretty(pg_database_size(current_database())) as size, (select count(*) from controls) as controls`,
    );
    await client.end();
    console.log(
      `seeded ${settings.tenants} tenants × ${settings.controls} controls (${sizes[0].controls} rows, ${sizes[0].size}) and ${keyed.length} API keys in ${seedSeconds} s`,
    );
    const authorization = (row) => `Bearer attest_${row.tenant_id.replaceAll('-', '')}_${row.secret}`;
    const targets = {
      list: keyed.map((row) => ({
        authorization: authorization(row),
        path: `/api/v1/controls?limit=${settings.limit}`,
      })),
      item: keyed.map((row) => ({
        authorization: authorization(row),
        path: `/api/v1/controls/${row.control_id}`,
      })),
    };

    const roots = [{ name: 'attest', root: ROOT }];
    if (settings.reference) roots.unshift({ name: 'reference', root: path.resolve(settings.reference) });
    for (const entry of roots) {
      const port = await freePort();
      const child = await startServer(entry.root, {
        port,
        databaseUrl,
        logFile: path.join(tmp, `${entry.name}.log`),
      });
      servers.push({ ...entry, port, child });
    }

    const runs = [];
    const watcher = new pg.Client({ connectionString: settings.databaseUrl });
    await watcher.connect();
    for (const [index, scenario] of settings.scenarios.entries()) {
      const spec = SCENARIOS[scenario];
      if (!spec) throw new Error(`unknown scenario ${scenario}`);
      // The servers take turns per scenario, so both see the same machine load within minutes;
      // which goes first alternates.
      for (const server of index % 2 === 0 ? servers : [...servers].reverse()) {
        await drain(watcher, name, server.child.pid);
        const result = await runLoad({
          tmp,
          port: server.port,
          serverPid: server.child.pid,
          rate: settings.rate,
          duration: settings.duration,
          warmup: settings.warmup,
          connections: settings.connections,
          headers: spec.headers,
          targets: targets[spec.kind],
        });
        const row = { server: server.name, scenario, ...result };
        runs.push(row);
        console.log(
          `${server.name.padEnd(9)} ${scenario.padEnd(9)} ${String(row.achievedRate).padStart(6)} req/s  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms  max ${row.maxMs} ms  errors ${row.errors}  non-2xx ${row.non2xx}  body ${row.meanBodyBytes} B  headers ${row.meanHeaderBytes} B  server CPU ${row.serverCpuShare}  load ${row.loadavgBefore.join(' ')} → ${row.loadavgAfter.join(' ')}`,
        );
      }
    }

    await watcher.end();
    const ratios = {};
    if (settings.reference) {
      for (const scenario of settings.scenarios) {
        const before = runs.find((run) => run.server === 'reference' && run.scenario === scenario);
        const after = runs.find((run) => run.server === 'attest' && run.scenario === scenario);
        ratios[scenario] = {
          p99: round(after.p99Ms / before.p99Ms, 2),
          serverCpu: round(after.serverCpuShare / before.serverCpuShare, 2),
          body: round(after.meanBodyBytes / before.meanBodyBytes, 2),
        };
        console.log(
          `attest/reference ${scenario}: p99 ×${ratios[scenario].p99}, server CPU ×${ratios[scenario].serverCpu}, body ×${ratios[scenario].body}`,
        );
      }
    }
    const worst = Math.max(
      ...runs.filter((run) => run.server === 'attest').map((run) => run.p99Ms ?? Number.POSITIVE_INFINITY),
    );
    const failed = runs.some((run) => run.server === 'attest' && (run.errors > 0 || run.non2xx > 0));
    console.log(
      `worst attest p99 = ${worst} ms at ${settings.rate} req/s (floor ${settings.floorP99Ms} ms, goal ${settings.goalP99Ms} ms)${failed ? '; ERRORS' : ''}`,
    );
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const report = {
      meta: {
        date: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        loadavgAtEnd: loadavg(),
        seedSeconds,
        databaseSize: sizes[0].size,
        settings: { ...settings, databaseUrl: undefined },
      },
      runs,
      ratios,
      worstP99Ms: worst,
    };
    fs.writeFileSync(
      path.join(RESULTS_DIR, `${settings.label}.json`),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    await cleanup();
    process.exit(failed ? 2 : worst <= settings.floorP99Ms ? 0 : 1);
  } catch (error) {
    console.error(error);
    await cleanup();
    process.exit(2);
  }
}

if (process.argv[2] === '--load') {
  const config = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
  const result = await loadGenerator(config);
  process.stdout.write(JSON.stringify(result), () => process.exit(0));
} else {
  await main();
}
