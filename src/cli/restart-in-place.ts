/**
 * Replaces this process with a fresh run of the same command: same pid, stdio, environment and
 * arguments, so a supervisor, a terminal or a container runtime sees one process throughout.
 * Node's own options only take effect at start (some cannot be set from inside, such as the size
 * of V8's thread pool), and memory a process has touched is not all given back when it is freed;
 * a new image starts with neither problem. `execve(2)` runs no exit handlers: callers close what
 * they opened first. Without `process.execve` (Windows) the caller carries on in this process.
 */
export function canRestartInPlace(): boolean {
  return typeof process.execve === 'function';
}

export function restartInPlace(extraNodeOptions: readonly string[] = []): never {
  if (!process.execve) throw new Error('process.execve is not available on this platform');
  process.execve(
    process.execPath,
    [process.execPath, ...process.execArgv, ...extraNodeOptions, ...process.argv.slice(1)],
    process.env,
  );
  throw new Error('process.execve returned'); // it does not: on failure it throws itself
}
