/**
 * Start-up time and memory of the embedded database (PGlite) and of the idle `attest start` server.
 *
 *   node --import tsx bench/embedded-db/startup.ts [--label NAME] [--rounds N] [--only attest]
 *
 * Every measurement runs in its own child process, so each RSS figure is that process's alone. The
 * server rows spawn the built CLI (`npm run build` first). Writes results/<label>.json and prints a
 * table; `--compare before after` prints two saved runs side by side.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultsDir = path.join(root, 'bench/embedded-db/results');

type Figures = Record<string, number>;

const rssMb = () => Math.round(process.memoryUsage().rss / 1048576);
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return Math.round((used.user + used.system) / 1000);
};

/** One scenario, run inside a child process; prints its figures as JSON on the last line. */
async function scenario(name: string, dir: string): Promise<Figures> {
  const { openDatabase } = await import('../../src/platform/db/client.js');
  const { migrate } = await import('../../src/platform/db/migrate.js');
  const figures: Figures = { rssBeforeMb: rssMb() };
  const cpu = process.cpuUsage();
  let started = performance.now();
  if (name === 'test-database') {
    const { testDatabaseKinds } = await import('../../test/support/databases.js');
    const pglite = testDatabaseKinds.find((kind) => kind.name === 'pglite');
    if (!pglite) throw new Error('no pglite kind');
    const first = await pglite.create();
    figures.firstMs = Math.round(performance.now() - started);
    started = performance.now();
    const second = await pglite.create();
    figures.secondMs = Math.round(performance.now() - started);
    figures.rssMb = rssMb();
    await first.close();
    await second.close();
  } else {
    const db = await openDatabase({ pgliteDir: name === 'memory' ? 'memory://' : dir });
    figures.openMs = Math.round(performance.now() - started);
    figures.openCpuMs = cpuMs(cpu);
    figures.rssOpenMb = rssMb();
    started = performance.now();
    await migrate(db);
    figures.migrateMs = Math.round(performance.now() - started);
    figures.rssMb = rssMb();
    await db.close();
  }
  return figures;
}

function runScenario(name: string, dir: string): Figures {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--scenario', name, dir],
    { cwd: root, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Figures;
}

function procStatus(pid: number): { rssMb: number; cpuMs: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  // utime and stime are fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second here).
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMb: Math.round(rss / 1024), cpuMs: ticks * 10 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `attest start` (built CLI) on `dataDir`: time to /readyz, CPU and RSS when ready and after 10 s idle. */
async function measureServer(dataDir: string): Promise<Figures> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), 'start'], {
    cwd: root,
    env: {
      ...process.env,
      ATTEST_DATA_DIR: dataDir,
      DATABASE_URL: '',
      ATTEST_MASTER_KEY: '',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      ATTEST_PUBLIC_URL: `http://127.0.0.1:${port}`,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const pid = child.pid;
  if (!pid) throw new Error('attest start did not spawn');
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`attest start exited with ${child.exitCode}`);
      if (performance.now() - started > 180_000) throw new Error('attest start not ready in 180 s');
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) break;
      await sleep(100);
    }
    const readyMs = Math.round(performance.now() - started);
    const atReady = procStatus(pid);
    await sleep(10_000);
    const idle = procStatus(pid);
    return { readyMs, readyCpuMs: atReady.cpuMs, rssReadyMb: atReady.rssMb, rssIdleMb: idle.rssMb };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
  }
}

async function measureBareNode(): Promise<Figures> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(1000);
  const { rssMb: rss } = procStatus(child.pid ?? 0);
  child.kill();
  return { rssIdleMb: rss };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The median of each figure over the rounds. */
function medians(rounds: Figures[]): Figures {
  const keys = Object.keys(rounds[0] ?? {});
  return Object.fromEntries(keys.map((key) => [key, median(rounds.map((round) => round[key] ?? 0))]));
}

type Results = Record<string, Figures>;

async function measureAll(rounds: number, only: string | undefined): Promise<Results> {
  const all: Record<string, Figures[]> = {};
  for (let round = 0; round < rounds; round += 1) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-bench-db-'));
    const steps: [string, () => Promise<Figures> | Figures][] = [
      ['bare node', measureBareNode],
      ['pglite memory:// (fresh)', () => runScenario('memory', '')],
      ['pglite data dir, first open', () => runScenario('dir', path.join(tmp, 'pgdata'))],
      ['pglite data dir, reopen', () => runScenario('dir', path.join(tmp, 'pgdata'))],
      ['test database (pglite)', () => runScenario('test-database', '')],
      ['attest start, first start', () => measureServer(path.join(tmp, 'server'))],
      ['attest start, restart', () => measureServer(path.join(tmp, 'server'))],
    ];
    try {
      for (const [key, measure] of steps) {
        // `--only pglite` runs the steps whose name contains "pglite" (a reopen needs its first open).
        if (only && !key.includes(only)) continue;
        const figures = await measure();
        all[key] ??= [];
        all[key].push(figures);
        process.stderr.write(`${key}: ${JSON.stringify(figures)}\n`);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return Object.fromEntries(Object.entries(all).map(([key, list]) => [key, medians(list)]));
}

const columns: [string, string][] = [
  ['openMs', 'open ms'],
  ['openCpuMs', 'open CPU ms'],
  ['migrateMs', 'migrate ms'],
  ['firstMs', '1st db ms'],
  ['secondMs', '2nd db ms'],
  ['readyMs', 'to /readyz ms'],
  ['readyCpuMs', 'CPU to ready ms'],
  ['rssOpenMb', 'RSS open MB'],
  ['rssMb', 'RSS MB'],
  ['rssReadyMb', 'RSS ready MB'],
  ['rssIdleMb', 'RSS idle MB'],
];

function table(runs: [string, Results][]): string {
  const rows = [...new Set(runs.flatMap(([, results]) => Object.keys(results)))];
  const lines = [`| measurement | figure | ${runs.map(([label]) => label).join(' | ')} |`];
  lines.push(`|---|---|${runs.map(() => '---:').join('|')}|`);
  for (const row of rows) {
    for (const [key, title] of columns) {
      if (!runs.some(([, results]) => results[row]?.[key] !== undefined)) continue;
      const cells = runs.map(([, results]) => String(results[row]?.[key] ?? '–'));
      lines.push(`| ${row} | ${title} | ${cells.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main() {
  const scenarioName = argument('--scenario');
  if (scenarioName) {
    const figures = await scenario(scenarioName, process.argv[process.argv.indexOf('--scenario') + 2] ?? '');
    process.stdout.write(`\n${JSON.stringify(figures)}\n`);
    process.exit(0);
  }
  const compare = process.argv.indexOf('--compare');
  if (compare >= 0) {
    const labels = process.argv.slice(compare + 1);
    const runs = labels.map(
      (label) =>
        [label, JSON.parse(fs.readFileSync(path.join(resultsDir, `${label}.json`), 'utf8')).results] as [
          string,
          Results,
        ],
    );
    process.stdout.write(`${table(runs)}\n`);
    return;
  }
  if (!fs.existsSync(path.join(root, 'dist/cli/main.js'))) throw new Error('run `npm run build` first');
  const label = argument('--label') ?? 'latest';
  const rounds = Number(argument('--rounds') ?? 1);
  const results = await measureAll(rounds, argument('--only'));
  const machine = {
    node: process.version,
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map((load) => Math.round(load * 10) / 10),
    memoryMb: Math.round(os.totalmem() / 1048576),
  };
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(
    path.join(resultsDir, `${label}.json`),
    `${JSON.stringify({ label, date: new Date().toISOString(), rounds, machine, results }, null, 2)}\n`,
  );
  process.stdout.write(`${table([[label, results]])}\n\nmachine: ${JSON.stringify(machine)}\n`);
}

await main();
