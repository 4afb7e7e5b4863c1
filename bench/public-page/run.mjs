#!/usr/bin/env node
// Public page benchmark: Attest's `GET /t/demo/security` against nginx and a bare Node `http` server
// (bare-node.mjs beside this file) serving the same bytes, one after the other in each round, on
// loopback only. The load comes from wrk with one thread (BENCH_LOADGEN=autocannon: from autocannon,
// in this process). Plain Node ESM so it needs no build of its own (it does build Attest). See
// README.md beside this file for what it measures and the env knobs.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST = '127.0.0.1'; // loopback only, for the servers and the load
const PAGE = '/t/demo/security';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const RESULTS_DIR = path.join(HERE, 'results');
const KILL_GRACE_MS = 5_000;
const TARGETS = ['attest', 'nginx', 'bare-node']; // the order of the runs within each round
const LOADGENS = ['wrk', 'autocannon'];
const ENCODINGS = ['identity', 'br'];
// What every request of the run asks for (BENCH_ENCODING): the page as it is, or brotli-compressed.
const ENCODING = process.env.BENCH_ENCODING || 'identity';
// Mean bytes per response may differ this much from one page response (body + headers) before the
// run counts as failed: wrk does not count 3xx answers, and a share of short answers shows up here.
const BYTES_TOLERANCE = 0.01;

// ---------------------------------------------------------------------------------------------
// Settings

class SetupError extends Error {}

function intEnv(name, fallback, min = 0) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new SetupError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function numEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new SetupError(`${name} must be a number >= 0, got "${raw}"`);
  return value;
}

function readSettings() {
  const logLevel = process.env.BENCH_LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new SetupError(`BENCH_LOG_LEVEL must be a pino level, got "${logLevel}"`);
  }
  const nodeEnv = process.env.BENCH_NODE_ENV || 'production';
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    throw new SetupError(`BENCH_NODE_ENV must be development, production or test, got "${nodeEnv}"`);
  }
  if (!ENCODINGS.includes(ENCODING))
    throw new SetupError(`BENCH_ENCODING must be ${ENCODINGS.join(' or ')}, got "${ENCODING}"`);
  const loadgen = process.env.BENCH_LOADGEN || 'wrk';
  if (!LOADGENS.includes(loadgen)) {
    throw new SetupError(`BENCH_LOADGEN must be ${LOADGENS.join(' or ')}, got "${loadgen}"`);
  }
  return {
    loadgen,
    connections: intEnv('BENCH_CONNECTIONS', 50, 1),
    durationSec: intEnv('BENCH_DURATION', 10, 1),
    warmupSec: intEnv('BENCH_WARMUP', 3, 0),
    rounds: intEnv('BENCH_ROUNDS', 3, 1),
    wrkThreads: 1, // one core for the client, the other for the server under test
    pipelining: 1,
    floor: numEnv('BENCH_FLOOR', 0.6),
    logLevel,
    nodeEnv,
    attestPort: intEnv('BENCH_ATTEST_PORT', 3901, 1),
    nginxPort: intEnv('BENCH_NGINX_PORT', 3902, 1),
    bareNodePort: intEnv('BENCH_BARE_PORT', 3903, 1),
    encoding: ENCODING,
    database: process.env.BENCH_DATABASE_URL ? 'postgresql (BENCH_DATABASE_URL)' : 'embedded PGlite',
    skipBuild: process.env.BENCH_SKIP_BUILD === '1',
    attestNodeArgs: (process.env.BENCH_ATTEST_NODE_ARGS || '').split(/\s+/).filter(Boolean),
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = (buffer) => createHash('sha256').update(buffer).digest('hex');
const log = (message) => process.stderr.write(`[bench] ${message}\n`);

/** One GET on loopback asking for the run's encoding; resolves with status, headers and body. */
function get(port, pathname, timeoutMs = 5_000) {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: HOST, port, path: pathname, agent: false, headers: { 'accept-encoding': ENCODING } },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on('error', reject);
      },
    );
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`GET ${pathname} timed out`)));
    request.on('error', reject);
  });
}

/** Exact size of the status line plus headers of one response, read off the wire. */
function headerBytes(port, pathname) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port });
    let received = Buffer.alloc(0);
    socket.setTimeout(5_000, () => socket.destroy(new Error('header probe timed out')));
    socket.on('connect', () =>
      socket.write(
        `GET ${pathname} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nAccept-Encoding: ${ENCODING}\r\nConnection: close\r\n\r\n`,
      ),
    );
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end !== -1) {
        socket.destroy();
        resolve(end + 4);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('connection closed before the headers ended')));
  });
}

/** Polls until `check` resolves truthy, or fails after `timeoutMs` (or when `abort()` says why). */
async function waitFor(what, timeoutMs, check, abort = () => null) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const reason = abort();
    if (reason) throw new SetupError(`${what}: ${reason}`);
    try {
      const result = await check();
      if (result) return result;
      last = 'not there yet';
    } catch (error) {
      last = error.message;
    }
    await sleep(200);
  }
  throw new SetupError(`${what}: timed out after ${timeoutMs / 1000}s (last: ${last})`);
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: HOST, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The preferred port if it is free on loopback and not `taken`, else one the kernel picks. */
async function pickPort(preferred, taken) {
  if (!taken.includes(preferred) && (await portIsFree(preferred))) return preferred;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen({ port: 0, host: HOST }, () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
    if (!taken.includes(port)) return port;
  }
  throw new SetupError('could not find free loopback ports');
}

function readProcStatus(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
      return match ? Number(match[1]) * 1024 : null;
    };
    return { vmHwmBytes: field('VmHWM'), vmRssBytes: field('VmRSS') };
  } catch {
    return { vmHwmBytes: null, vmRssBytes: null };
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds (user + system, all threads) a process has used so far; 0 if it is gone. */
function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
  } catch {
    return 0;
  }
}

/**
 * CPU seconds (user + system) of this process's children that have exited and been reaped, from
 * cutime and cstime in /proc/self/stat. Node reaps a child before it reports its exit, so the
 * difference across one wrk run is the CPU that wrk used.
 */
function reapedChildrenCpuSeconds() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS; // cutime, cstime
  } catch {
    return 0;
  }
}

/** Whole-machine CPU seconds so far from /proc/stat: busy (all but idle and iowait) and steal. */
function machineCpu() {
  try {
    const fields = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user, nice, system, , , irq, softirq, steal = 0] = fields; // skips idle and iowait
    return { busy: (user + nice + system + irq + softirq + steal) / CLOCK_TICKS, steal: steal / CLOCK_TICKS };
  } catch {
    return { busy: 0, steal: 0 };
  }
}

function childPids(pid) {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------------------------------------
// Children and cleanup

const children = []; // { name, child, exited, exitPromise, extraPids() }
let tmpDir = null;
let currentLoad = null; // { stop() } of the load run in progress, if any
let cleaning = null;

function track(name, child, extraPids = () => []) {
  const entry = { name, child, exited: false, code: null, signal: null, extraPids };
  entry.exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      entry.exited = true;
      entry.code = code;
      entry.signal = signal;
      resolve();
    });
  });
  child.once('error', (error) => {
    entry.exited = true;
    entry.spawnError = error;
  });
  children.push(entry);
  return entry;
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function stopChild(entry) {
  if (entry.exited) return;
  const extra = entry.extraPids();
  signal(entry.child.pid, 'SIGTERM');
  const timedOut = await Promise.race([
    entry.exitPromise.then(() => false),
    sleep(KILL_GRACE_MS).then(() => true),
  ]);
  if (timedOut && !entry.exited) {
    log(`${entry.name} did not stop within ${KILL_GRACE_MS / 1000}s of SIGTERM; sending SIGKILL`);
    signal(entry.child.pid, 'SIGKILL');
    await Promise.race([entry.exitPromise, sleep(2_000)]);
    // A killed nginx master leaves its worker behind: kill it too, if that pid is still our nginx.
    for (const pid of extra) {
      const cmdline = (() => {
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      })();
      if (cmdline.includes(entry.name)) signal(pid, 'SIGKILL');
    }
  }
}

function cleanup() {
  cleaning ??= (async () => {
    try {
      currentLoad?.stop?.();
    } catch {
      // the load run is being abandoned anyway
    }
    // Stop in reverse start order: bare-node, nginx, then Attest.
    for (const entry of [...children].reverse()) await stopChild(entry);
    if (tmpDir) {
      fs.rmSync(tmpDir, { recursive: true, force: true });
      tmpDir = null;
    }
  })();
  return cleaning;
}

// Last resort if the process exits some other way: nothing async is possible here.
process.on('exit', () => {
  try {
    currentLoad?.stop?.();
  } catch {
    // nothing more to do
  }
  for (const entry of children) if (!entry.exited) signal(entry.child.pid, 'SIGKILL');
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
});

for (const [sig, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(sig, () => {
    log(`${sig} received: stopping servers and removing the temp dir`);
    cleanup().finally(() => process.exit(code));
  });
}

// ---------------------------------------------------------------------------------------------
// Steps

/** A command's path: from PATH, else the first of `candidates` that exists; null if none. */
function findCommand(command, candidates = []) {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  return candidates.find((candidate) => fs.existsSync(candidate)) ?? null;
}

const findNginx = () =>
  findCommand('nginx', ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']);
const findWrk = () => findCommand('wrk', ['/usr/bin/wrk', '/usr/local/bin/wrk']);

/** `apt-get install -y` the first of `packages` that installs; no package service is started. */
function aptInstall(what, packages) {
  log(`${what} not found: installing it from Debian packages (${packages.join(', else ')})`);
  // Keep a package's own service (nginx: port 80 on all addresses) from being started by the install.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !fs.existsSync(policy);
  if (ownPolicy)
    fs.writeFileSync(policy, '#!/bin/sh\n# temporary, written by bench/public-page/run.mjs\nexit 101\n', {
      mode: 0o755,
    });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
    if (!apt(['update'])) throw new SetupError('apt-get update failed');
    if (!packages.some((name) => apt(['install', '-y', '--no-install-recommends', name]))) {
      throw new SetupError(`could not install ${packages.join(' or ')}`);
    }
  } finally {
    if (ownPolicy) fs.rmSync(policy, { force: true });
  }
}

function ensureNginx() {
  let nginx = findNginx();
  if (nginx) return nginx;
  aptInstall('nginx', ['nginx-light', 'nginx']);
  nginx = findNginx();
  if (!nginx) throw new SetupError('nginx was installed but is not on PATH nor in /usr/sbin');
  return nginx;
}

function nginxInfo(nginx) {
  const result = spawnSync(nginx, ['-V'], { encoding: 'utf8' });
  const text = `${result.stdout}${result.stderr}`;
  const version = /nginx version: (\S+)/.exec(text)?.[1] ?? 'unknown';
  return { version, configure: text };
}

/** The load generator to use: name, version, binary (wrk) and the command line it runs. */
function ensureLoadgen(settings) {
  if (settings.loadgen === 'autocannon') {
    const manifest = path.join(ROOT, 'node_modules', 'autocannon', 'package.json');
    if (!fs.existsSync(manifest))
      throw new SetupError(`autocannon is not installed (${manifest} is missing): run npm ci`);
    const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    return {
      name: 'autocannon',
      version,
      where: 'in the bench process, single-threaded',
      command: (seconds, url) =>
        `autocannon({ url: '${url}', connections: ${settings.connections}, duration: ${seconds}, pipelining: ${settings.pipelining} })`,
    };
  }
  let wrk = findWrk();
  if (!wrk) {
    aptInstall('wrk', ['wrk']);
    wrk = findWrk();
    if (!wrk) throw new SetupError('wrk was installed but is not on PATH nor in /usr/bin');
  }
  // `wrk -v` prints "wrk <version> [<engine>] Copyright ..." and its usage, and exits 1.
  const probe = spawnSync(wrk, ['-v'], { encoding: 'utf8' });
  const version = /^wrk (\S+)/m.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? 'unknown';
  return {
    name: 'wrk',
    version,
    binary: wrk,
    where: `separate process, ${settings.wrkThreads} thread`,
    args: (seconds, url) => wrkArgs(settings, seconds, url),
    command: (seconds, url) => [wrk, ...wrkArgs(settings, seconds, url)].join(' '),
  };
}

function wrkArgs(settings, seconds, url) {
  return [
    `-t${settings.wrkThreads}`,
    `-c${settings.connections}`,
    `-d${seconds}s`,
    '--latency',
    '-H',
    `Accept-Encoding: ${ENCODING}`,
    url,
  ];
}

function buildAttest() {
  log('building Attest (npm run build)');
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new SetupError(`npm run build failed (exit ${result.status})`);
}

async function startAttest(settings, port) {
  const dataDir = path.join(tmpDir, 'attest-data');
  fs.mkdirSync(dataDir);
  const logFile = path.join(tmpDir, 'attest.log');
  const logFd = fs.openSync(logFile, 'a');
  const env = {
    ...process.env,
    PORT: String(port),
    HOST,
    ATTEST_DATA_DIR: dataDir,
    LOG_LEVEL: settings.logLevel,
    NODE_ENV: settings.nodeEnv,
    // Production requires a master key; a throwaway one for this throwaway data dir.
    ATTEST_MASTER_KEY: randomBytes(32).toString('base64'),
  };
  delete env.DATABASE_URL;
  delete env.ATTEST_PUBLIC_URL;
  if (process.env.BENCH_DATABASE_URL) env.DATABASE_URL = process.env.BENCH_DATABASE_URL;
  const main = path.join(ROOT, 'dist', 'cli', 'main.js');
  if (!fs.existsSync(main)) throw new SetupError(`${main} is missing: the build did not produce it`);
  // Its own process group, so a Ctrl-C reaches only this script, which then stops it in order.
  const child = spawn(process.execPath, [...settings.attestNodeArgs, main, 'start'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', logFd, logFd],
    detached: true,
  });
  fs.closeSync(logFd);
  const entry = track('attest', child);
  const died = () =>
    entry.exited
      ? `Attest exited (code ${entry.code}, signal ${entry.signal}); log tail:\n${tail(logFile)}`
      : null;
  await waitFor('Attest /readyz', 60_000, async () => (await get(port, '/readyz')).status === 200, died);
  await waitFor(`Attest ${PAGE}`, 30_000, async () => (await get(port, PAGE)).status === 200, died);
  return { entry, logFile };
}

function nginxConfig(info, tmp, port) {
  const has = (module) => !info.configure.includes(`--without-${module}`);
  const temp = (name) => path.join(tmp, 'nginx-temp', name);
  for (const name of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    fs.mkdirSync(temp(name), { recursive: true });
  const lines = [
    'daemon off;',
    'master_process on;',
    'worker_processes 1;',
    // As root the workers would drop to "nobody", who cannot read the 0700 temp dir.
    ...(process.getuid?.() === 0 ? ['user root;'] : []),
    `pid ${path.join(tmp, 'nginx.pid')};`,
    `error_log ${path.join(tmp, 'nginx-error.log')} warn;`,
    'events { worker_connections 1024; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${temp('client_body')};`,
    ...(has('http_proxy_module') ? [`  proxy_temp_path ${temp('proxy')};`] : []),
    ...(has('http_fastcgi_module') ? [`  fastcgi_temp_path ${temp('fastcgi')};`] : []),
    ...(has('http_uwsgi_module') ? [`  uwsgi_temp_path ${temp('uwsgi')};`] : []),
    ...(has('http_scgi_module') ? [`  scgi_temp_path ${temp('scgi')};`] : []),
    '  server {',
    `    listen ${HOST}:${port};`,
    `    root ${path.join(tmp, 'www')};`,
    // The page is a file named like the URL (no extension), so it gets the default type, and
    // `charset` appends "; charset=utf-8": the same Content-Type as Attest sends.
    '    location / {',
    '      default_type text/html;',
    '      charset utf-8;',
    // With br the file holds Attest's brotli bytes; nginx only labels them (it compresses nothing).
    ...(ENCODING === 'identity' ? [] : [`      add_header Content-Encoding ${ENCODING};`]),
    '    }',
    '  }',
    '}',
    '',
  ];
  return lines.join('\n');
}

async function startNginx(nginx, info, port, page) {
  const file = path.join(tmpDir, 'www', ...PAGE.split('/').filter(Boolean));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, page.body);
  const conf = path.join(tmpDir, 'nginx.conf');
  fs.writeFileSync(conf, nginxConfig(info, tmpDir, port));
  const errorLog = path.join(tmpDir, 'nginx-error.log');
  const test = spawnSync(nginx, ['-t', '-q', '-c', conf, '-p', `${tmpDir}/`, '-e', errorLog], {
    encoding: 'utf8',
  });
  if (test.status !== 0)
    throw new SetupError(`nginx -t rejected the generated config:\n${test.stderr}\n${tail(errorLog)}`);
  const stderrFd = fs.openSync(path.join(tmpDir, 'nginx-stderr.log'), 'a');
  const child = spawn(nginx, ['-c', conf, '-p', `${tmpDir}/`, '-e', errorLog], {
    stdio: ['ignore', 'ignore', stderrFd],
    detached: true,
  });
  fs.closeSync(stderrFd);
  let workers = [];
  const entry = track('nginx', child, () => workers);
  const died = () =>
    entry.exited ? `nginx exited (code ${entry.code}); error log:\n${tail(errorLog)}` : null;
  const served = await waitFor(
    'nginx',
    10_000,
    async () => {
      const response = await get(port, PAGE);
      return response.status === 200 ? response : null;
    },
    died,
  );
  workers = childPids(child.pid);
  return { entry, served, workers: () => workers };
}

async function startBareNode(port, bodyFile, contentType) {
  const logFile = path.join(tmpDir, 'bare-node.log');
  const logFd = fs.openSync(logFile, 'a');
  const script = path.join(HERE, 'bare-node.mjs');
  const args = [
    script,
    HOST,
    String(port),
    PAGE,
    bodyFile,
    contentType,
    ...(ENCODING === 'identity' ? [] : [ENCODING]),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', logFd, logFd],
    detached: true,
  });
  fs.closeSync(logFd);
  const entry = track('bare-node', child);
  const died = () =>
    entry.exited
      ? `bare-node exited (code ${entry.code}, signal ${entry.signal}); log:\n${tail(logFile)}`
      : null;
  const served = await waitFor(
    'bare-node',
    10_000,
    async () => {
      const response = await get(port, PAGE);
      return response.status === 200 ? response : null;
    },
    died,
  );
  return { entry, served };
}

// ---------------------------------------------------------------------------------------------
// Load

const WRK_TIME_MS = { us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };
const WRK_BINARY = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 };

/** wrk's "1.23ms", "456.78us", "2.00s" in milliseconds. */
function wrkTime(text) {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  return match ? Number(match[1]) * WRK_TIME_MS[match[2]] : null;
}

/** wrk's "241.38MB", "1.02GB", "512.00B" in bytes (binary units). */
function wrkBytes(text) {
  const match = /^([\d.]+)([KMGTP]?)B$/.exec(text);
  return match ? Number(match[1]) * WRK_BINARY[match[2]] : null;
}

/** The numbers of one `wrk --latency` run, from its text output. */
function parseWrk(text) {
  const need = (regex, what) => {
    const match = regex.exec(text);
    if (!match) throw new SetupError(`no ${what} in wrk's output:\n${text}`);
    return match;
  };
  const rps = Number(need(/^Requests\/sec:\s+([\d.]+)\s*$/m, '"Requests/sec:" line')[1]);
  const transfer = wrkBytes(need(/^Transfer\/sec:\s+(\S+)\s*$/m, '"Transfer/sec:" line')[1]);
  const totals = need(/^\s*(\d+) requests in (\S+), (\S+) read\s*$/m, '"N requests in T, B read" line');
  // "Thread Stats" row: Avg, Stdev, Max, +/- Stdev. ("Latency Distribution" has no numbers.)
  const stats = need(/^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+%\s*$/m, 'latency thread stats');
  const percentiles = {};
  for (const match of text.matchAll(/^\s*(\d+(?:\.\d+)?)%\s+(\S+)\s*$/gm))
    percentiles[match[1]] = wrkTime(match[2]);
  if (percentiles['50'] == null || percentiles['99'] == null)
    throw new SetupError(`no 50% and 99% latency in wrk's output (was --latency given?):\n${text}`);
  // Both lines are only printed when their counts are not zero. wrk's "Non-2xx or 3xx" counts
  // statuses >= 400 only; 3xx answers are caught by the bytes-per-response check instead.
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket
    ? {
        connect: Number(socket[1]),
        read: Number(socket[2]),
        write: Number(socket[3]),
        timeout: Number(socket[4]),
      }
    : { connect: 0, read: 0, write: 0, timeout: 0 };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const requestsTotal = Number(totals[1]);
  const values = [rps, transfer, wrkTime(totals[2]), wrkBytes(totals[3]), ...stats.slice(1, 4).map(wrkTime)];
  if (values.some((value) => value === null || !Number.isFinite(value)))
    throw new SetupError(`could not read the numbers in wrk's output:\n${text}`);
  return {
    rps,
    throughputBytesPerSec: transfer,
    requestsTotal,
    ok2xx: requestsTotal - non2xx, // wrk does not count 2xx itself; see above for 3xx
    durationSec: wrkTime(totals[2]) / 1000,
    bytesRead: wrkBytes(totals[3]),
    latencyMs: {
      mean: wrkTime(stats[1]),
      stdev: wrkTime(stats[2]),
      p50: percentiles['50'],
      p75: percentiles['75'] ?? null,
      p90: percentiles['90'] ?? null,
      p99: percentiles['99'],
      max: wrkTime(stats[3]),
    },
    non2xx,
    socketErrors,
    errorCount: Object.values(socketErrors).reduce((sum, count) => sum + count, 0),
    output: text,
  };
}

async function loadWrk(loadgen, url, seconds) {
  const args = loadgen.args(seconds, url);
  // Its own process group, so a Ctrl-C reaches only this script, which then stops it.
  const child = spawn(loadgen.binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr += chunk;
  });
  const kill = () => signal(child.pid, 'SIGKILL');
  currentLoad = { stop: kill };
  const watchdog = setTimeout(kill, (seconds + 30) * 1000); // wrk stops by itself after `seconds`
  try {
    const { code, signal: sig } = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    if (code !== 0)
      throw new SetupError(`${loadgen.command(seconds, url)} failed (${code ?? sig}):\n${stdout}${stderr}`);
    return parseWrk(stdout);
  } finally {
    clearTimeout(watchdog);
    currentLoad = null;
  }
}

async function loadAutocannon(settings, url, seconds) {
  const { default: autocannon } = await import('autocannon');
  const instance = autocannon({
    url,
    connections: settings.connections,
    duration: seconds,
    pipelining: settings.pipelining,
    headers: { 'accept-encoding': ENCODING },
  });
  currentLoad = { stop: () => instance.stop() };
  try {
    const result = await instance;
    return {
      rps: result.requests.mean, // mean of per-second samples
      throughputBytesPerSec: result.throughput.mean,
      requestsTotal: result.requests.total,
      ok2xx: result['2xx'],
      durationSec: result.duration,
      bytesRead: result.throughput.total,
      latencyMs: {
        mean: result.latency.mean,
        stdev: result.latency.stddev,
        p50: result.latency.p50,
        p75: result.latency.p75,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
      non2xx: result.non2xx,
      socketErrors: { errors: result.errors, timeouts: result.timeouts, resets: result.resets },
      errorCount: result.errors + result.timeouts,
    };
  } finally {
    currentLoad = null;
  }
}

/** One load of `seconds` against `url`, in the same shape for both load generators. */
function load(loadgen, settings, url, seconds) {
  return loadgen.name === 'wrk' ? loadWrk(loadgen, url, seconds) : loadAutocannon(settings, url, seconds);
}

async function measure({ target, url, settings, loadgen, round, page, serverPids }) {
  if (settings.warmupSec > 0) {
    log(`round ${round}: ${target} warm-up ${settings.warmupSec}s (discarded)`);
    const warm = await load(loadgen, settings, url, settings.warmupSec);
    if (warm.non2xx || warm.errorCount) {
      log(
        `WARNING: ${target} warm-up had ${warm.non2xx} non-2xx and socket errors ${JSON.stringify(warm.socketErrors)}`,
      );
    }
    await sleep(500);
  }
  log(`round ${round}: ${target} ${settings.durationSec}s x ${settings.connections} connections`);
  const serverCpu = () => serverPids().reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const serverBefore = serverCpu();
  const clientBefore = process.cpuUsage();
  const reapedBefore = reapedChildrenCpuSeconds();
  const machineBefore = machineCpu();
  const started = performance.now();
  const result = await load(loadgen, settings, url, settings.durationSec);
  const wall = (performance.now() - started) / 1000;
  // The client is this process (autocannon runs in it) plus wrk, a child reaped by now.
  const own = process.cpuUsage(clientBefore);
  const clientSeconds = (own.user + own.system) / 1e6 + (reapedChildrenCpuSeconds() - reapedBefore);
  const machine = machineCpu();
  const { output, ...numbers } = result;
  const bytesPerResponse = result.requestsTotal ? result.bytesRead / result.requestsTotal : 0;
  const row = {
    target,
    round,
    ...numbers,
    bytesPerResponse: Math.round(bytesPerResponse),
    expectedBytesPerResponse: page.bodyBytes + page.headerBytes[target],
    headerBytesPerResponse: Math.round(bytesPerResponse - page.bodyBytes),
  };
  // Shares of one core during the run. Client near 100% means the load generator, not the server,
  // was the limit; "other" is everything else on the machine (other processes, VM steal).
  const share = (seconds) => Math.round((seconds / wall) * 100);
  row.serverCpuPercent = share(serverCpu() - serverBefore);
  row.clientCpuPercent = share(clientSeconds);
  row.otherCpuPercent = Math.max(
    0,
    share(machine.busy - machineBefore.busy) - row.serverCpuPercent - row.clientCpuPercent,
  );
  row.stealCpuPercent = share(machine.steal - machineBefore.steal);
  if (output !== undefined) row.loadgenOutput = output;
  if (row.non2xx || row.errorCount)
    log(
      `FAILED: ${target} round ${round}: ${row.non2xx} non-2xx, socket errors ${JSON.stringify(row.socketErrors)}`,
    );
  await sleep(1_000);
  return row;
}

// ---------------------------------------------------------------------------------------------
// Reporting

const fmt = (value, digits = 0) =>
  value === null || value === undefined ? '-' : Number(value).toFixed(digits);
const mb = (bytes) => (bytes === null || bytes === undefined ? '-' : (bytes / 1024 / 1024).toFixed(1));
const RATIO_NAMES = {
  attestNginx: 'attest/nginx',
  attestBareNode: 'attest/bare-node',
  bareNodeNginx: 'bare-node/nginx',
};

function table(rows) {
  const head = [
    'target',
    'round',
    'req/s',
    'p50 ms',
    'p99 ms',
    'max ms',
    'MiB/s',
    'B/resp',
    'requests',
    'non2xx',
    'sock err',
    'srv cpu%',
    'client cpu%',
    'other cpu%',
  ];
  const body = rows.map((row) => [
    row.target,
    String(row.round),
    fmt(row.rps, 1),
    fmt(row.latencyMs.p50, 2),
    fmt(row.latencyMs.p99, 2),
    fmt(row.latencyMs.max, 2),
    mb(row.throughputBytesPerSec),
    String(row.bytesPerResponse),
    String(row.requestsTotal),
    String(row.non2xx),
    String(row.errorCount),
    fmt(row.serverCpuPercent),
    fmt(row.clientCpuPercent),
    fmt(row.otherCpuPercent),
  ]);
  const widths = head.map((cell, index) => Math.max(cell.length, ...body.map((line) => line[index].length)));
  const render = (line) =>
    line
      .map((cell, index) => (index < 1 ? cell.padEnd(widths[index]) : cell.padStart(widths[index])))
      .join('  ');
  return [render(head), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(render)].join('\n');
}

/** A Markdown table with padded, aligned cells (the layout `biome format` would give it). */
function markdownTable(head, rows) {
  const widths = head.map((cell, index) =>
    Math.max(3, cell.length, ...rows.map((line) => line[index].length)),
  );
  const cell = (text, index) => (index === 0 ? text.padEnd(widths[index]) : text.padStart(widths[index]));
  const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${widths.map((width, index) => (index === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

function markdown(report) {
  const s = report.settings;
  const rows = report.rounds.map((r) => [
    r.target,
    String(r.round),
    fmt(r.rps, 1),
    fmt(r.latencyMs.p50, 2),
    fmt(r.latencyMs.p99, 2),
    mb(r.throughputBytesPerSec),
    String(r.bytesPerResponse),
    String(r.non2xx),
    String(r.errorCount),
    fmt(r.serverCpuPercent),
    fmt(r.clientCpuPercent),
    fmt(r.otherCpuPercent),
  ]);
  const head = [
    'target',
    'round',
    'req/s',
    'p50 ms',
    'p99 ms',
    'MiB/s',
    'B/resp',
    'non-2xx',
    'socket errors',
    'server CPU %',
    'client CPU %',
    'other CPU %',
  ];
  const best = (target) =>
    `${target} ${fmt(report.best[target].rps, 1)} req/s (p99 ${fmt(report.best[target].latencyMs.p99, 2)} ms)`;
  return [
    `# Public page benchmark: ${report.date}`,
    '',
    `\`GET ${PAGE}\` (${report.page.bytes} bytes, sha256 ${report.page.sha256.slice(0, 16)}…): Attest, nginx ${report.nginx.version} and a bare Node \`http\` server, all serving the same bytes.`,
    `Load: ${report.loadgen.name} ${report.loadgen.version} (${report.loadgen.where}), \`${report.loadgen.commandExample}\`.`,
    `${report.machine.cpus} CPUs (${report.machine.cpuModel}), Node ${report.machine.node}; ${s.connections} connections, ${s.durationSec}s per run, ${s.warmupSec}s warm-up, ${s.rounds} rounds; Attest LOG_LEVEL=${s.logLevel} NODE_ENV=${s.nodeEnv}, ${s.database}.`,
    '',
    markdownTable(head, rows),
    '',
    `Best rounds: ${TARGETS.map(best).join(', ')}.`,
    '',
    `- **ratio attest/nginx rps = ${report.ratio.toFixed(2)} (floor ${report.floor.toFixed(2)})**: ${report.pass ? 'pass' : report.failures.length ? 'FAILED' : 'BELOW FLOOR'}.`,
    `- ratio attest/bare-node rps = ${report.ratios['attest/bare-node'].toFixed(2)} (Attest against Node's own HTTP stack).`,
    `- ratio bare-node/nginx rps = ${report.ratios['bare-node/nginx'].toFixed(2)} (Node's HTTP stack against nginx).`,
    ...report.warnings.map((warning) => `\nWarning: ${warning}.`),
    ...report.failures.map((failure) => `\nFailed: ${failure}.`),
    '',
    `Peak RSS (VmHWM): Attest ${mb(report.attest.peakRssBytes)} MiB (${mb(report.attest.peakRssBeforeLoadBytes)} MiB before the load); nginx worker ${mb(report.nginx.workerPeakRssBytes)} MiB; bare-node ${mb(report.bareNode.peakRssBytes)} MiB.`,
    '',
  ].join('\n');
}

/** What a client-bound run means for the ratios, by target. */
const CLIENT_BOUND_EFFECT = {
  attest: 'Attest is faster than this, so the ratios understate Attest',
  nginx: 'nginx is faster than this, so attest/nginx and bare-node/nginx overstate Attest and Node',
  'bare-node': 'bare Node is faster than this, so attest/bare-node overstates Attest',
};

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const settings = readSettings();
  const preferred = [settings.attestPort, settings.nginxPort, settings.bareNodePort];
  if (new Set(preferred).size !== preferred.length)
    throw new SetupError('BENCH_ATTEST_PORT, BENCH_NGINX_PORT and BENCH_BARE_PORT must differ');
  const nginx = ensureNginx();
  const info = nginxInfo(nginx);
  const loadgen = ensureLoadgen(settings);
  log(`load generator: ${loadgen.name} ${loadgen.version} (${loadgen.where})`);
  if (!settings.skipBuild) buildAttest();

  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-bench-'));
  const ports = [];
  for (const port of preferred) ports.push(await pickPort(port, ports));
  const [attestPort, nginxPort, bareNodePort] = ports;

  log(`starting Attest on ${HOST}:${attestPort} (LOG_LEVEL=${settings.logLevel}, ${settings.database})`);
  const attest = await startAttest(settings, attestPort);
  const page = await get(attestPort, PAGE);
  const sentEncoding = (headers) => headers['content-encoding'] ?? 'identity';
  if (sentEncoding(page.headers) !== ENCODING)
    throw new SetupError(`Attest sent ${sentEncoding(page.headers)} for a request for ${ENCODING}`);
  const pageSha = sha256(page.body);
  const contentType = page.headers['content-type'];
  log(`Attest serves ${PAGE}: ${page.body.length} bytes, ${contentType}, sha256 ${pageSha.slice(0, 16)}…`);

  log(`starting nginx ${info.version} on ${HOST}:${nginxPort}`);
  const ng = await startNginx(nginx, info, nginxPort, page);
  const bodyFile = path.join(tmpDir, 'page.body');
  fs.writeFileSync(bodyFile, page.body);
  log(`starting bare-node (node:http, ${process.version}) on ${HOST}:${bareNodePort}`);
  const bare = await startBareNode(bareNodePort, bodyFile, contentType);
  for (const [name, served] of [
    ['nginx', ng.served],
    ['bare-node', bare.served],
  ]) {
    if (sha256(served.body) !== pageSha)
      throw new SetupError(`${name} does not serve the same bytes as Attest`);
    if (served.headers['content-type'] !== contentType) {
      throw new SetupError(
        `content types differ: Attest "${contentType}", ${name} "${served.headers['content-type']}"`,
      );
    }
    if (sentEncoding(served.headers) !== ENCODING)
      throw new SetupError(`${name} sent ${sentEncoding(served.headers)} for a request for ${ENCODING}`);
  }
  const urls = {
    attest: `http://${HOST}:${attestPort}${PAGE}`,
    nginx: `http://${HOST}:${nginxPort}${PAGE}`,
    'bare-node': `http://${HOST}:${bareNodePort}${PAGE}`,
  };
  const headers = {
    attest: await headerBytes(attestPort, PAGE),
    nginx: await headerBytes(nginxPort, PAGE),
    'bare-node': await headerBytes(bareNodePort, PAGE),
  };
  log(
    `same bytes and content type on all three; response headers: Attest ${headers.attest} B, nginx ${headers.nginx} B, bare-node ${headers['bare-node']} B`,
  );

  const pids = {
    attest: () => [attest.entry.child.pid],
    nginx: () => [ng.entry.child.pid, ...ng.workers()],
    'bare-node': () => [bare.entry.child.pid],
  };
  const pageInfo = { bodyBytes: page.body.length, headerBytes: headers };
  const attestMemBefore = readProcStatus(attest.entry.child.pid);
  const logBytesBefore = fs.statSync(attest.logFile).size;
  const rounds = [];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const target of TARGETS) {
      rounds.push(
        await measure({
          target,
          url: urls[target],
          settings,
          loadgen,
          round,
          page: pageInfo,
          serverPids: pids[target],
        }),
      );
    }
  }
  const logBytes = fs.statSync(attest.logFile).size - logBytesBefore;

  // Still serving the same page after the load?
  const after = await get(attestPort, PAGE);
  const stillSame = after.status === 200 && sha256(after.body) === pageSha;

  const attestMem = readProcStatus(attest.entry.child.pid);
  const bareMem = readProcStatus(bare.entry.child.pid);
  const workerMem = ng.workers().map(readProcStatus);
  const workerPeak = workerMem.length ? Math.max(...workerMem.map((m) => m.vmHwmBytes ?? 0)) : null;

  const bestOf = (target) =>
    rounds.filter((row) => row.target === target).reduce((best, row) => (row.rps > best.rps ? row : best));
  const best = Object.fromEntries(TARGETS.map((target) => [target, bestOf(target)]));
  const ratioOf = (top, bottom) => (best[bottom].rps > 0 ? best[top].rps / best[bottom].rps : 0);
  const ratio = ratioOf('attest', 'nginx');
  const ratios = {
    [RATIO_NAMES.attestNginx]: Number(ratio.toFixed(4)),
    [RATIO_NAMES.attestBareNode]: Number(ratioOf('attest', 'bare-node').toFixed(4)),
    [RATIO_NAMES.bareNodeNginx]: Number(ratioOf('bare-node', 'nginx').toFixed(4)),
  };

  const failures = [];
  for (const row of rounds) {
    if (row.non2xx || row.errorCount) {
      const errors = Object.entries(row.socketErrors)
        .map(([name, count]) => `${name} ${count}`)
        .join(', ');
      failures.push(`${row.target} round ${row.round}: ${row.non2xx} non-2xx; socket errors: ${errors}`);
    }
    if (!row.requestsTotal) failures.push(`${row.target} round ${row.round}: no completed requests`);
    else if (
      Math.abs(row.bytesPerResponse - row.expectedBytesPerResponse) >
      row.expectedBytesPerResponse * BYTES_TOLERANCE
    ) {
      failures.push(
        `${row.target} round ${row.round}: responses averaged ${row.bytesPerResponse} B, not the page's ${row.expectedBytesPerResponse} B (body + headers), so some were something else`,
      );
    }
  }
  if (!stillSame) failures.push('Attest served a different page after the load');
  // When the load generator uses a whole core while the server idles part of its own, the run
  // measured the load generator: that target's req/s is only a floor.
  const warnings = rounds
    .filter((row) => row.clientCpuPercent >= 90 && row.serverCpuPercent < 80)
    .map(
      (row) =>
        `${row.target} round ${row.round} was limited by the load generator (client ${row.clientCpuPercent}% CPU, server ${row.serverCpuPercent}%): its req/s is a floor; ${CLIENT_BOUND_EFFECT[row.target]}`,
    );
  // Something else on the machine (another process, VM steal) took a real share of the CPUs.
  for (const row of rounds) {
    if (row.otherCpuPercent >= 25) {
      warnings.push(
        `${row.target} round ${row.round} shared the machine: ${row.otherCpuPercent}% of a core went to other processes (steal ${row.stealCpuPercent}%), so its numbers are low; rerun on a quiet machine`,
      );
    }
  }
  const pass = failures.length === 0 && ratio >= settings.floor;

  const cpus = os.cpus();
  const report = {
    date: new Date().toISOString(),
    pass,
    failures,
    warnings,
    ratio: Number(ratio.toFixed(4)), // attest/nginx, the one the floor applies to
    ratios,
    floor: settings.floor,
    loadgen: {
      name: loadgen.name,
      version: loadgen.version,
      where: loadgen.where,
      commandExample: loadgen.command(settings.durationSec, urls.attest),
    },
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      memBytes: os.totalmem(),
    },
    settings: { ...settings, attestPort, nginxPort, bareNodePort },
    page: { path: PAGE, bytes: page.body.length, sha256: pageSha, contentType },
    attest: {
      url: urls.attest,
      responseHeaderBytes: headers.attest,
      peakRssBytes: attestMem.vmHwmBytes,
      peakRssBeforeLoadBytes: attestMemBefore.vmHwmBytes,
      rssBeforeLoadBytes: attestMemBefore.vmRssBytes,
      rssAtEndBytes: attestMem.vmRssBytes,
      logBytesDuringLoad: logBytes,
    },
    nginx: {
      version: info.version,
      binary: nginx,
      url: urls.nginx,
      responseHeaderBytes: headers.nginx,
      workerPeakRssBytes: workerPeak,
    },
    bareNode: {
      node: process.version,
      script: path.relative(ROOT, path.join(HERE, 'bare-node.mjs')),
      url: urls['bare-node'],
      responseHeaderBytes: headers['bare-node'],
      peakRssBytes: bareMem.vmHwmBytes,
    },
    best,
    rounds,
  };

  const bestLine = (target) =>
    `${target} ${fmt(best[target].rps, 1)} req/s p99 ${fmt(best[target].latencyMs.p99, 2)} ms`;
  const out = [
    '',
    `GET ${PAGE}: ${page.body.length} body bytes; ${settings.connections} connections, ${settings.durationSec}s runs, ${settings.warmupSec}s warm-up, ${settings.rounds} rounds; ${cpus.length} CPUs; Node ${process.version}; nginx ${info.version}; Attest LOG_LEVEL=${settings.logLevel} NODE_ENV=${settings.nodeEnv}`,
    `load     ${loadgen.name} ${loadgen.version} (${loadgen.where}): ${report.loadgen.commandExample}`,
    '',
    table(rounds),
    '',
    `best     ${TARGETS.map(bestLine).join(' | ')}`,
    `memory   Attest peak RSS (VmHWM) ${mb(attestMem.vmHwmBytes)} MiB (${mb(attestMemBefore.vmHwmBytes)} MiB already before the load), RSS at end ${mb(attestMem.vmRssBytes)} MiB; nginx worker peak RSS ${mb(workerPeak)} MiB; bare-node peak RSS ${mb(bareMem.vmHwmBytes)} MiB`,
    `headers  Attest ${headers.attest} B/response, nginx ${headers.nginx} B, bare-node ${headers['bare-node']} B; Attest wrote ${mb(logBytes)} MiB of logs during the load`,
    ...warnings.map((warning) => `WARNING  ${warning}`),
    ...failures.map((failure) => `FAILED   ${failure}`),
    `ratio attest/bare-node rps = ${ratios['attest/bare-node'].toFixed(2)} (Attest vs Node's own HTTP stack)`,
    `ratio bare-node/nginx rps = ${ratios['bare-node/nginx'].toFixed(2)} (Node's HTTP stack vs nginx)`,
    `ratio attest/nginx rps = ${ratio.toFixed(2)} (floor ${settings.floor.toFixed(2)})`,
    '',
  ].join('\n');
  process.stdout.write(out);

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const name = ENCODING === 'identity' ? 'latest' : `latest-${ENCODING}`;
  fs.writeFileSync(path.join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(RESULTS_DIR, `${name}.md`), markdown(report));
  log(
    `results written to ${path.relative(process.cwd(), RESULTS_DIR) || RESULTS_DIR}/${ENCODING === 'identity' ? 'latest' : `latest-${ENCODING}`}.{json,md}`,
  );

  await cleanup();
  if (failures.length) {
    process.stderr.write(`\nFAILED: ${failures.join('; ')}\n`);
    return 2;
  }
  if (ratio < settings.floor) {
    process.stderr.write(`\nBELOW FLOOR: ratio ${ratio.toFixed(2)} < ${settings.floor.toFixed(2)}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (error) => {
    process.stderr.write(
      `\n[bench] ${error instanceof SetupError ? error.message : error?.stack || String(error)}\n`,
    );
    await cleanup();
    process.exitCode = 2;
  },
);
