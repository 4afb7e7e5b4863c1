import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { repositoryRoot, startAttest } from './attest-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A data directory of a first start (migrated, demo seeded) that each test file copies. */
    attestTemplate: string;
  }
}

/**
 * Before the e2e files: build the program as `npm start` does (ATTEST_E2E_SKIP_BUILD=1 reuses a
 * dist/ that was just built), then start it once to prepare a data directory every file copies.
 * Each file still starts its own `attest start` on its own copy.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) {
    throw new Error('Chromium is missing: apt-get install -y --no-install-recommends chromium (see .ci/run)');
  }
  const prebuilt = existsSync(path.join(repositoryRoot, 'dist/web/admin/index.html'));
  if (process.env.ATTEST_E2E_SKIP_BUILD !== '1' || !prebuilt) {
    // As `npm start` builds it: vitest sets NODE_ENV=test, which would make Vite bundle React's
    // development build, a different program from the one users run.
    execFileSync('npm', ['run', 'build', '--silent'], {
      cwd: repositoryRoot,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
  }
  const template = await mkdtemp(path.join(tmpdir(), 'attest-e2e-template-'));
  const first = await startAttest({ dataDir: template });
  await first.stop();
  project.provide('attestTemplate', template);
  return () => rm(template, { recursive: true, force: true });
}
