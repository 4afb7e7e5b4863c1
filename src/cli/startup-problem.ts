import { isDatabaseUnavailable, pgErrorOf } from '../platform/db/errors.js';
import { pgliteErrnoCode } from '../platform/db/pglite.js';

/**
 * The one line `attest` prints for a failure that is the machine's or the configuration's state,
 * not a bug: a disk that is full or read-only, a directory it may not write, a file where a
 * directory should be, a database it cannot reach or log in to, a port it cannot listen on. Null
 * for anything else (a bug, which keeps its stack trace). The line names what failed and where,
 * never a password: a database is named by host, port and database name only.
 */
export function startupProblem(
  error: unknown,
  where: { databaseUrl?: string | undefined; dataDir?: string | undefined },
): string | null {
  const listen = listenProblem(error);
  if (listen) return listen;
  const file = fileProblem(error, where.dataDir);
  if (file) return file;
  const embedded = pgliteErrnoCode(error);
  const problem = embedded && FILE_PROBLEMS[embedded];
  if (problem)
    return `the embedded database cannot use its files${where.dataDir ? ` in ${where.dataDir}` : ''}: ${problem} (${embedded}).`;
  if (where.databaseUrl) return databaseProblem(error, where.databaseUrl);
  return null;
}

interface SystemError {
  code?: unknown;
  syscall?: unknown;
  path?: unknown;
  address?: unknown;
  port?: unknown;
}

/** What a file-system errno means to an operator. */
const FILE_PROBLEMS: Record<string, string> = {
  ENOSPC: 'no space left on the device; free some space or move ATTEST_DATA_DIR to a larger disk',
  EDQUOT: 'the disk quota is used up; free some space or raise the quota',
  EROFS: 'the file system is read-only; ATTEST_DATA_DIR must be on a writable disk',
  EACCES: 'permission denied; the user running Attest must own ATTEST_DATA_DIR or be allowed to write it',
  EPERM:
    'operation not permitted; the user running Attest must own ATTEST_DATA_DIR or be allowed to write it',
  ENOTDIR: 'a file is where a directory is expected; point ATTEST_DATA_DIR at a directory',
  EISDIR: 'a directory is where a file is expected',
  EIO: 'the disk reported an input/output error',
  EMFILE: 'too many open files; raise the limit (ulimit -n)',
  ENFILE: 'too many open files on the system',
  ELOOP: 'too many symbolic links',
};

const VERBS: Record<string, string> = {
  mkdir: 'create the directory',
  open: 'open',
  write: 'write',
  rename: 'rename',
  unlink: 'remove',
  rmdir: 'remove',
  stat: 'read',
  read: 'read',
  scandir: 'list',
  fsync: 'flush',
  copyfile: 'copy',
  chmod: 'change the mode of',
  access: 'access',
};

function causes(error: unknown): SystemError[] {
  const found: SystemError[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    found.push(current as SystemError);
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

function fileProblem(error: unknown, dataDir: string | undefined): string | null {
  for (const cause of causes(error)) {
    const { code, syscall, path } = cause;
    // A file-system call's error; a write to an open file names no path.
    if (typeof code !== 'string' || typeof syscall !== 'string' || !(syscall in VERBS)) continue;
    const problem =
      syscall === 'mkdir' && code === 'EEXIST'
        ? // mkdir on a path that is a file: "already exists" says nothing useful.
          'a file is where a directory is expected; point ATTEST_DATA_DIR at a directory'
        : syscall === 'mkdir' && code === 'ENOENT'
          ? // What a recursive mkdir reports on a read-only disk, among others.
            'a parent directory could not be made (is the disk read-only or the path wrong?)'
          : FILE_PROBLEMS[code];
    if (!problem) continue;
    // A write to an open file names no path: the data directory is where start-up writes.
    const target =
      typeof path === 'string'
        ? ` ${path}`
        : `${syscall === 'write' ? ' to the disk' : ''}${dataDir ? ` (ATTEST_DATA_DIR is ${dataDir})` : ''}`;
    return `cannot ${VERBS[syscall]}${target}: ${problem} (${code}).`;
  }
  return null;
}

function listenProblem(error: unknown): string | null {
  for (const { code, syscall, address, port } of causes(error)) {
    if (syscall !== 'listen' || typeof code !== 'string') continue;
    const at = `${typeof address === 'string' ? address : 'HOST'}:${typeof port === 'number' ? port : 'PORT'}`;
    if (code === 'EADDRINUSE') return `${at} is already in use; stop what runs there or set PORT.`;
    if (code === 'EACCES' || code === 'EPERM')
      return `may not listen on ${at} (${code}): ports below 1024 need privileges; set PORT to a higher one.`;
    if (code === 'EADDRNOTAVAIL')
      return `cannot listen on ${at}: no such address on this machine; check HOST.`;
    return `cannot listen on ${at} (${code}).`;
  }
  return null;
}

/** Host, port and database of a postgres:// URL, without its user or password. */
function databaseOf(url: string): { at: string; name: string; user: string } {
  try {
    const parsed = new URL(url);
    return {
      at: `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`,
      name: decodeURIComponent(parsed.pathname.slice(1)) || '(default)',
      user: decodeURIComponent(parsed.username),
    };
  } catch {
    return { at: 'DATABASE_URL', name: '(unknown)', user: '' };
  }
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved now',
};

function databaseProblem(error: unknown, url: string): string | null {
  const database = databaseOf(url);
  const sqlstate = pgErrorOf(error)?.code;
  const serverMessage = causes(error)
    .map((cause) => (cause as { message?: unknown }).message)
    .find((message): message is string => typeof message === 'string' && message.length > 0);
  if (sqlstate === '3D000')
    return `the database "${database.name}" does not exist on ${database.at}; create it (createdb) or fix DATABASE_URL.`;
  if (sqlstate === '28P01')
    return `the database at ${database.at} refused the password of user "${database.user}"; fix DATABASE_URL.`;
  if (sqlstate === '28000')
    return `the database at ${database.at} refused the login (${serverMessage ?? 'not authorised'}); fix DATABASE_URL or the server's pg_hba.conf.`;
  if (sqlstate === '42501')
    return `the database user "${database.user}" lacks a privilege Attest needs (${serverMessage ?? 'permission denied'}); see docs/operations.md, "Run".`;
  if (!isDatabaseUnavailable(error)) return null;
  const code = causes(error)
    .map((cause) => cause.code)
    .find((each): each is string => typeof each === 'string' && each in NETWORK_REASONS);
  const inner = (error as { errors?: unknown }).errors;
  const aggregateCode = Array.isArray(inner)
    ? inner.map((each) => (each as SystemError).code).find((each) => typeof each === 'string')
    : undefined;
  const reason = code
    ? NETWORK_REASONS[code]
    : typeof aggregateCode === 'string' && aggregateCode in NETWORK_REASONS
      ? NETWORK_REASONS[aggregateCode]
      : sqlstate
        ? `the server cannot serve now (${sqlstate})`
        : 'no answer in time (ATTEST_DB_CONNECT_TIMEOUT_MS)';
  return `cannot reach the database at ${database.at}: ${reason}; is PostgreSQL running there, and is DATABASE_URL right?`;
}
