// `npm test`: the dependency rules first (a second or two), then vitest with whatever arguments
// npm passed on (`npm test -- --reporter=json …` in CI). A broken layer fails the run before a
// single test starts.
import { spawnSync } from 'node:child_process';

const run = (command, args) => {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
};

const depcheck = run('npm', ['run', '--silent', 'depcheck']);
if (depcheck !== 0) process.exit(depcheck);
process.exit(run('npx', ['vitest', 'run', ...process.argv.slice(2)]));
