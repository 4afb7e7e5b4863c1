import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem, REQUIRED_NODE_MAJOR } from './node-version.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
};

describe('the supported Node.js line', () => {
  it('is the one package.json and .ci/node.sh declare', () => {
    expect(packageJson.engines.node).toBe(`>=${REQUIRED_NODE_MAJOR}`);
    const script = readFileSync(new URL('../../.ci/node.sh', import.meta.url), 'utf8');
    expect(script).toContain(`REQUIRED_MAJOR=${REQUIRED_NODE_MAJOR}\n`);
    expect(script).toMatch(new RegExp(`\\nNODE_VERSION=${REQUIRED_NODE_MAJOR}\\.\\d+\\.\\d+\\n`));
  });

  it('refuses an older Node with a message that names both versions', () => {
    expect(nodeVersionProblem('20.20.2')).toMatch(/Node\.js 26 or newer is required.*Node\.js 20\.20\.2/);
    expect(nodeVersionProblem('25.9.0')).toBeDefined();
    expect(nodeVersionProblem('garbage')).toBeDefined();
    expect(nodeVersionProblem(`${REQUIRED_NODE_MAJOR}.0.0`)).toBeUndefined();
    expect(nodeVersionProblem(`${REQUIRED_NODE_MAJOR + 1}.1.0`)).toBeUndefined();
  });

  // CI proves the suite ran on the supported line: .ci/run puts it first on PATH.
  it.runIf(process.env.CI === 'true')('is what this test run uses in CI', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(REQUIRED_NODE_MAJOR);
  });

  it('stops the attest command on an older Node before it loads anything', () => {
    // The check module itself, run by this Node with a pretend version: exit 2 and the one line.
    const run = (version: string) => {
      try {
        execFileSync(
          process.execPath,
          [
            '--import',
            'tsx',
            '-e',
            `Object.defineProperty(process.versions, 'node', { value: '${version}' }); await import('./src/cli/require-node.ts'); console.log('ran on');`,
          ],
          { cwd: new URL('../..', import.meta.url), encoding: 'utf8', stdio: 'pipe' },
        );
        return { status: 0, stderr: '' };
      } catch (error) {
        const failed = error as { status: number; stderr: string };
        return { status: failed.status, stderr: failed.stderr };
      }
    };
    expect(run('20.20.2')).toEqual({
      status: 2,
      stderr: expect.stringMatching(/^attest: Node\.js 26 or newer is required/),
    });
    expect(run(`${REQUIRED_NODE_MAJOR}.1.0`).status).toBe(0);
  });
});
