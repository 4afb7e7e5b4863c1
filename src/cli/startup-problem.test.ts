import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, hasPostgres } from '../../test/support/databases.js';
import { refusedPort, startHangingServer } from '../../test/support/tcp-faults.js';
import { loadConfig } from '../platform/config.js';
import { defaultPostgresTimeouts, openDatabase } from '../platform/db/client.js';
import { commands } from './commands.js';
import { startupProblem } from './startup-problem.js';

const repositoryRoot = path.resolve(new URL('../..', import.meta.url).pathname);
const isRoot = process.getuid?.() === 0;

/**
 * `attest start` as an operator runs it (from the sources, through tsx), with `env` on top: its
 * exit code and what it printed on stderr. A start that does not fail within the time is killed.
 */
function attestStart(
  env: Record<string, string>,
  options: { asUser?: { uid: number; gid: number } } = {},
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--no-demo'], {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        DATABASE_URL: '',
        PORT: '0',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'development',
        ATTEST_MASTER_KEY: '',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(options.asUser ?? {}),
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** Fails unless the run ended non-zero with exactly one line, `attest: …`, and no stack trace. */
function expectOneLine(result: { code: number | null; stderr: string }, says: RegExp): string {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.code, result.stderr).not.toBeNull();
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  const [line = ''] = lines;
  expect(line).toMatch(/^attest: /);
  expect(line).not.toMatch(/unexpected failure|\n\s+at |Error:/);
  expect(line).toMatch(says);
  return line;
}

describe('the line for a failure of the disk, the database or the port', () => {
  it('names a full disk from a real ENOSPC (writing /dev/full), with the path', () => {
    let error: unknown;
    try {
      fs.writeFileSync('/dev/full', 'a key that does not fit');
    } catch (caught) {
      error = caught;
    }
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(startupProblem(error, {})).toBe(
      'cannot write to the disk: no space left on the device; free some space or move ATTEST_DATA_DIR to a larger disk (ENOSPC).',
    );
    // Wrapped (as a driver wraps it), still found.
    expect(startupProblem(new Error('write failed', { cause: error }), { dataDir: '/srv/attest' })).toBe(
      'cannot write to the disk (ATTEST_DATA_DIR is /srv/attest): no space left on the device; free some space or move ATTEST_DATA_DIR to a larger disk (ENOSPC).',
    );
  });

  it('names the errno of the embedded database’s file system, which throws no Error', () => {
    const enospc = { name: 'ErrnoError', errno: 51 };
    expect(startupProblem(enospc, { dataDir: '/srv/attest' })).toBe(
      'the embedded database cannot use its files in /srv/attest: no space left on the device; free some space or move ATTEST_DATA_DIR to a larger disk (ENOSPC).',
    );
    expect(startupProblem({ name: 'ErrnoError', errno: 69 }, {})).toMatch(/read-only.*\(EROFS\)/);
    expect(startupProblem({ name: 'ErrnoError', errno: 9999 }, {})).toBeNull();
  });

  it('names a file where a directory should be, from a real mkdir', () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-startup-'));
    try {
      const file = path.join(scratch, 'file');
      fs.writeFileSync(file, '');
      let error: unknown;
      try {
        fs.mkdirSync(path.join(file, 'data'), { recursive: true });
      } catch (caught) {
        error = caught;
      }
      expect(startupProblem(error, {})).toBe(
        `cannot create the directory ${path.join(file, 'data')}: a file is where a directory is expected; point ATTEST_DATA_DIR at a directory (ENOTDIR).`,
      );
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('names a database that never answers, from the real pool', async () => {
    const silent = await startHangingServer();
    const url = `postgres://attest:s3cret-pw@127.0.0.1:${silent.port}/attest`;
    const db = await openDatabase({
      url,
      timeouts: { ...defaultPostgresTimeouts, connectMs: 300 },
    });
    try {
      const error = await db.runScript('select 1').then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(startupProblem(error, { databaseUrl: url })).toBe(
        `cannot reach the database at 127.0.0.1:${silent.port}: no answer in time (ATTEST_DB_CONNECT_TIMEOUT_MS); is PostgreSQL running there, and is DATABASE_URL right?`,
      );
    } finally {
      await db.close();
      await silent.close();
    }
  });

  it.runIf(hasPostgres)('names a login the real server refuses, without the password', async () => {
    const url = new URL(process.env.TEST_DATABASE_URL ?? '');
    url.username = 'attest_no_such_user';
    url.password = 's3cret-pw';
    const db = await openDatabase({ url: url.toString() });
    try {
      const error = await db.runScript('select 1').then(
        () => null,
        (caught: unknown) => caught,
      );
      const line = startupProblem(error, { databaseUrl: url.toString() }) ?? '';
      expect(line).toMatch(/^the database at .* refused the (login|password)/);
      expect(line).not.toContain('s3cret-pw');
    } finally {
      await db.close();
    }
  });

  it('never repeats the password of DATABASE_URL, and leaves a bug to its stack trace', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), {
      code: 'ECONNREFUSED',
      syscall: 'connect',
    });
    const line = startupProblem(refused, { databaseUrl: 'postgres://attest:hunter2@db.internal:6432/trust' });
    expect(line).toBe(
      'cannot reach the database at db.internal:6432: connection refused; is PostgreSQL running there, and is DATABASE_URL right?',
    );
    expect(
      startupProblem(new TypeError('x is not a function'), { databaseUrl: 'postgres://a@b/c' }),
    ).toBeNull();
  });
});

/**
 * The same `attest start` in this process, for the conditions whose printing the spawned runs
 * below already prove: the error the start command fails with, told as the CLI tells it.
 */
async function startInProcess(env: Record<string, string>): Promise<string | null> {
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', NODE_ENV: 'development', ...env });
  const signals = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  const start = commands.start;
  if (!start) throw new Error('no start command');
  try {
    const error = await start(['--no-demo'], config).then(
      () => new Error('it started'),
      (caught: unknown) => caught,
    );
    return startupProblem(error, { databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } finally {
    // The start command handles SIGINT and SIGTERM for the process it runs in: not for this one.
    for (const [signal, before] of Object.entries(signals))
      for (const listener of process.listeners(signal as NodeJS.Signals))
        if (!before.includes(listener)) process.off(signal, listener);
  }
}

// Each spawned start loads the whole program: seconds each, many more on a loaded machine.
describe('attest start when it cannot start', { timeout: 120_000 }, () => {
  let scratch: string;
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-startup-'));
  });
  afterAll(() => {
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('prints one line when a file is where the data directory should be', async () => {
    const file = path.join(scratch, 'not-a-directory');
    fs.writeFileSync(file, '');
    const line = expectOneLine(
      await attestStart({ ATTEST_DATA_DIR: file }),
      /a file is where a directory is expected/,
    );
    expect(line).toContain(file);
  });

  it('prints one line when the user running Attest may not write the data directory', async () => {
    const locked = path.join(scratch, 'locked');
    fs.mkdirSync(locked, { mode: 0o500 });
    fs.chmodSync(locked, 0o500);
    // Root may write anywhere: the process runs as an unprivileged user instead.
    const result = await attestStart(
      { ATTEST_DATA_DIR: path.join(locked, 'data') },
      isRoot ? { asUser: { uid: 65534, gid: 65534 } } : {},
    );
    expectOneLine(result, /permission denied.*\(EACCES\)/);
  });

  it('prints one line when the database refuses connections, without its password', async () => {
    const refused = await refusedPort();
    const line = expectOneLine(
      await attestStart({ DATABASE_URL: `postgres://attest:s3cret-pw@127.0.0.1:${refused}/attest` }),
      new RegExp(`cannot reach the database at 127\\.0\\.0\\.1:${refused}: connection refused`),
    );
    expect(line).not.toContain('s3cret-pw');
  });

  it.runIf(hasPostgres)('says the database does not exist', async () => {
    const missing = new URL(process.env.TEST_DATABASE_URL ?? '');
    missing.pathname = '/attest_no_such_database';
    expect(await startInProcess({ DATABASE_URL: missing.toString() })).toMatch(
      /^the database "attest_no_such_database" does not exist on/,
    );
  });

  it.runIf(hasPostgres)('says the port is in use, after a start that got that far', async () => {
    const database = await freshPostgresDatabase();
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      expect(
        await startInProcess({
          DATABASE_URL: database.url,
          HOST: '127.0.0.1',
          PORT: String(port),
          ATTEST_DATA_DIR: path.join(scratch, 'in-use'),
        }),
      ).toBe(`127.0.0.1:${port} is already in use; stop what runs there or set PORT.`);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
      await database.drop();
    }
  });

  describe('on a disk of its own (a small tmpfs, where this machine lets the test mount one)', () => {
    const mounted: string[] = [];
    const mount = (options: string) => {
      const point = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-disk-'));
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', point], { stdio: 'ignore' });
        mounted.push(point);
        return point;
      } catch {
        fs.rmdirSync(point);
        return null;
      }
    };
    afterAll(() => {
      for (const point of mounted) {
        execFileSync('umount', [point], { stdio: 'ignore' });
        fs.rmdirSync(point);
      }
    });
    const canMount = isRoot && process.platform === 'linux';

    it.runIf(canMount)('says the disk is full when the embedded database cannot be made', async (context) => {
      // Room for the key and the lock, not for a database cluster.
      const disk = mount('size=3m');
      if (!disk) return context.skip();
      const data = path.join(disk, 'data');
      expect(
        await startInProcess({
          ATTEST_DATA_DIR: data,
          ATTEST_MASTER_KEY: randomBytes(32).toString('base64'),
        }),
      ).toBe(
        `cannot write ${path.join(data, 'pgdata')}: no space left on the device; free some space or move ATTEST_DATA_DIR to a larger disk (ENOSPC).`,
      );
      // Nothing half made that a later start would take for a database.
      expect(fs.existsSync(path.join(data, 'pgdata'))).toBe(false);
    });

    it.runIf(canMount)('says the disk is full, and leaves no empty key file behind', async (context) => {
      const disk = mount('size=64k');
      if (!disk) return context.skip();
      const data = path.join(disk, 'data');
      fs.mkdirSync(data);
      try {
        fs.writeFileSync(path.join(disk, 'filler'), Buffer.alloc(1024 * 1024));
      } catch {
        // Full now.
      }
      expect(await startInProcess({ ATTEST_DATA_DIR: data })).toBe(
        `cannot write to the disk (ATTEST_DATA_DIR is ${data}): no space left on the device; free some space or move ATTEST_DATA_DIR to a larger disk (ENOSPC).`,
      );
      expect(fs.readdirSync(data)).toEqual([]);
    });

    it.runIf(canMount)('says the data directory is on a read-only disk', async (context) => {
      const disk = mount('size=64k,ro');
      if (!disk) return context.skip();
      expect(await startInProcess({ ATTEST_DATA_DIR: disk })).toMatch(
        /the file system is read-only.*\(EROFS\)/,
      );
      // A data directory still to be made there: Node's recursive mkdir reports ENOENT.
      expect(await startInProcess({ ATTEST_DATA_DIR: path.join(disk, 'data') })).toMatch(
        /^cannot create the directory .*data: a parent directory could not be made \(is the disk read-only/,
      );
    });
  });
});
