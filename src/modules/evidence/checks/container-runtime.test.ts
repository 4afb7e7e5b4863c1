import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkContainerRuntime, type RuntimeProbe, realRuntime } from './container-runtime.js';

/** /proc/self/status of a process as the image and the manifests start it. */
const LOCKED_DOWN = [
  'Name:\tnode',
  'Uid:\t10001\t10001\t10001\t10001',
  'Gid:\t10001\t10001\t10001\t10001',
  'CapInh:\t0000000000000000',
  'CapPrm:\t0000000000000000',
  'CapEff:\t0000000000000000',
  'CapBnd:\t0000000000000000',
  'NoNewPrivs:\t1',
  'Seccomp:\t2',
].join('\n');

const probe = (status: string, overrides: Partial<RuntimeProbe> = {}): RuntimeProbe => ({
  procStatus: () => status,
  rootWritable: () => false,
  inContainer: () => true,
  ...overrides,
});

describe('the container-runtime check', () => {
  it('passes for a non-root process with no capabilities, no_new_privs, seccomp and a read-only root', () => {
    const outcome = checkContainerRuntime(probe(LOCKED_DOWN));
    expect(outcome.status).toBe('pass');
    expect(outcome.facts).toMatchObject({
      userId: 10001,
      noCapabilities: true,
      rootFilesystemReadOnly: true,
    });
  });

  it.each([
    ['root', LOCKED_DOWN.replace(/^Uid:.*$/m, 'Uid:\t0\t0\t0\t0'), {}, 'notRoot'],
    ['a capability', LOCKED_DOWN.replace(/^CapEff:.*$/m, 'CapEff:\t0000000000000400'), {}, 'noCapabilities'],
    [
      'privilege escalation allowed',
      LOCKED_DOWN.replace('NoNewPrivs:\t1', 'NoNewPrivs:\t0'),
      {},
      'noNewPrivileges',
    ],
    ['no seccomp filter', LOCKED_DOWN.replace('Seccomp:\t2', 'Seccomp:\t0'), {}, 'seccompFiltered'],
    ['a writable root filesystem', LOCKED_DOWN, { rootWritable: () => true }, 'rootFilesystemReadOnly'],
  ])('fails with %s', (_case, status, overrides, fact) => {
    const outcome = checkContainerRuntime(probe(status, overrides));
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(/^1 of 5 container restrictions do not hold/);
    expect(outcome.facts[fact]).toBe(false);
  });

  it('does not apply outside a container', () => {
    const outcome = checkContainerRuntime(probe(LOCKED_DOWN, { inContainer: () => false }));
    expect(outcome).toMatchObject({ status: 'not_applicable', facts: { inContainer: false } });
  });

  it('reads this very process truthfully: never a pass for root, the uid it runs as', () => {
    const outcome = checkContainerRuntime(realRuntime);
    if (!realRuntime.inContainer()) {
      expect(outcome.status).toBe('not_applicable');
      return;
    }
    const uid = process.geteuid?.() ?? -1;
    expect(outcome.facts.userId).toBe(uid);
    if (uid === 0) expect(outcome.status).toBe('fail');
    // The write probe leaves nothing behind.
    expect(fs.readdirSync('/').filter((name) => name.startsWith('.attest-write-probe'))).toEqual([]);
  });
});
