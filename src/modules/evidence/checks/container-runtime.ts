import fs from 'node:fs';
import path from 'node:path';
import type { CheckOutcome, EvidenceCheck } from './check.js';

/** What the check reads about the process it runs in; real by default, given by its test. */
export interface RuntimeProbe {
  /** /proc/self/status: Uid, CapEff, NoNewPrivs, Seccomp. */
  procStatus(): string;
  /** Whether a file can be created at the root of the filesystem (it is removed at once). */
  rootWritable(): boolean;
  /** Whether this process runs in a container (a runtime's marker, or Kubernetes' environment). */
  inContainer(): boolean;
}

const ROOT_PROBE = path.join('/', `.attest-write-probe-${process.pid}`);

export const realRuntime: RuntimeProbe = {
  procStatus: () => fs.readFileSync('/proc/self/status', 'utf8'),
  rootWritable() {
    try {
      fs.writeFileSync(ROOT_PROBE, '', { flag: 'wx' });
    } catch {
      return false; // EROFS on a read-only root, EACCES as a user without rights there: either holds.
    }
    fs.rmSync(ROOT_PROBE, { force: true });
    return true;
  },
  inContainer: () =>
    fs.existsSync('/.dockerenv') ||
    fs.existsSync('/run/.containerenv') ||
    Boolean(process.env.KUBERNETES_SERVICE_HOST) ||
    /(kubepods|docker|libpod|containerd)/.test(readOrEmpty('/proc/1/cgroup')),
};

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function field(status: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(status)?.[1]?.trim();
}

/**
 * The container Attest serves from, as the server itself sees it: what the image and the
 * Kubernetes manifests promise (non-root, no capabilities, no privilege escalation, a seccomp
 * profile, a read-only root filesystem) read from /proc and tried, not taken from configuration.
 * The result is the same for every tenant of the installation.
 */
export function checkContainerRuntime(probe: RuntimeProbe = realRuntime): CheckOutcome {
  if (!probe.inContainer()) {
    return {
      status: 'not_applicable',
      summary: 'This installation does not run in a container, so there is no container to check.',
      facts: { inContainer: false },
    };
  }
  const status = probe.procStatus();
  const uid = Number(field(status, 'Uid')?.split(/\s+/)[1] ?? Number.NaN); // the effective uid
  const capEff = field(status, 'CapEff') ?? '';
  const requirements = {
    notRoot: Number.isFinite(uid) && uid !== 0,
    noCapabilities: /^0+$/.test(capEff),
    noNewPrivileges: field(status, 'NoNewPrivs') === '1',
    seccompFiltered: field(status, 'Seccomp') === '2',
    rootFilesystemReadOnly: !probe.rootWritable(),
  };
  const facts = { inContainer: true, userId: Number.isFinite(uid) ? uid : -1, ...requirements };
  const unmet = Object.values(requirements).filter((met) => !met).length;
  if (unmet > 0) {
    return {
      status: 'fail',
      summary: `${unmet} of ${Object.keys(requirements).length} container restrictions do not hold for the running server.`,
      facts,
    };
  }
  return {
    status: 'pass',
    summary: `The server runs as user ${uid}, with no capabilities, no privilege escalation, a seccomp filter and a read-only root filesystem.`,
    facts,
  };
}

export const containerRuntime: EvidenceCheck = async () => checkContainerRuntime();
