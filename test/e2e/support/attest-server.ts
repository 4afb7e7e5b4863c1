import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The demo owner every e2e run creates through ATTEST_ADMIN_EMAIL / ATTEST_ADMIN_PASSWORD. */
export const OWNER = {
  email: 'owner@e2e.attest.example',
  password: 'quiet harbor lantern seventeen 9137',
  tenant: 'demo',
} as const;

export interface RunningAttest {
  /** http://127.0.0.1:<port>: also ATTEST_PUBLIC_URL, so the BFF accepts the browser's Origin. */
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export interface StartOptions {
  /**
   * A data directory a previous run left (migrated, demo seeded): copied, so this run skips the
   * embedded database's first-start set-up (about 15 s on a CI machine).
   */
  template?: string | undefined;
  /** Use (and keep) this data directory instead of a temporary one. */
  dataDir?: string;
}

/**
 * Starts the built program (`node dist/cli/main.js start`, what `npm start` runs) on a free port
 * with its own embedded database in a temporary directory, and waits until it is ready.
 */
export async function startAttest(options: StartOptions = {}): Promise<RunningAttest> {
  // The free port is found before the program binds it, so another process may take it in between:
  // then the program exits saying the port is in use, and a new port is tried.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOn(await freePort(), options);
    } catch (error) {
      if (attempt >= 3 || !/is already in use|EADDRINUSE/.test((error as Error).message)) throw error;
    }
  }
}

/**
 * The built CLI (`node dist/cli/main.js …`, what `npm start` runs) on its own embedded database in
 * `dataDir`, with `env` on top, and everything it prints collected.
 */
function spawnAttest(args: readonly string[], dataDir: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [path.join(repositoryRoot, 'dist/cli/main.js'), ...args], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      ATTEST_DATA_DIR: dataDir,
      DATABASE_URL: '',
      ATTEST_MASTER_KEY: '',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { child, output: () => output };
}

async function startOn(port: number, options: StartOptions): Promise<RunningAttest> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'attest-e2e-')));
  if (options.template) await cp(options.template, dataDir, { recursive: true });
  const url = `http://127.0.0.1:${port}`;
  const { child, output } = spawnAttest(['start'], dataDir, {
    PORT: String(port),
    HOST: '127.0.0.1',
    ATTEST_PUBLIC_URL: url,
    ATTEST_ADMIN_EMAIL: OWNER.email,
    ATTEST_ADMIN_PASSWORD: OWNER.password,
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    }
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 90_000;
  while (!output().includes('Attest is running')) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`attest start exited with ${child.exitCode}:\n${output()}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`attest start did not become ready in time:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, output, stop };
}

/**
 * Runs the built CLI (`node dist/cli/main.js …`) on a data directory no server is using, as an
 * operator would before `attest start`. Returns what it printed.
 */
export function runAttestCli(dataDir: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const { child, output } = spawnAttest(args, dataDir);
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(output())
        : reject(new Error(`attest ${args.join(' ')} exited with ${code}:\n${output()}`)),
    );
  });
}

/**
 * Runs the built CLI with `env` on top and returns how it ended, or throws when it has not ended
 * within `timeoutMs` (then it is killed): for commands that must fail, and fail promptly.
 */
export async function attestExit(
  dataDir: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnAttest(args, dataDir, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited(child);
  clearTimeout(timer);
  if (child.signalCode === 'SIGKILL') throw new Error(`attest ${args.join(' ')} did not end:\n${output()}`);
  return { code: child.exitCode, output: output() };
}
