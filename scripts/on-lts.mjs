// Runs a command on the Node.js line Attest supports, so that `npm start` and `npm test` work on a
// machine whose own Node is older: when it is, `.ci/node.sh` brings the pinned LTS build from the
// npm registry (checked against its pinned integrity) and the command runs with it first on PATH.
// Plain JavaScript that any Node runs; no dependency, nothing else to install.
//   node scripts/on-lts.mjs <command> [args...]
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..');
const engines = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node;
const required = Number(/(\d+)/.exec(engines)?.[1]);
const current = Number(process.versions.node.split('.')[0]);

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: node scripts/on-lts.mjs <command> [args...]\n');
  process.exit(2);
}

const env = { ...process.env };
if (current < required) {
  let bin;
  try {
    bin = execFileSync('bash', [path.join(root, '.ci/node.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  } catch {
    process.stderr.write(
      `attest: Node.js ${required} or newer is required (this is ${process.versions.node}), and the pinned build could not be fetched; install Node.js ${required}.\n`,
    );
    process.exit(2);
  }
  process.stderr.write(`attest: this machine's Node.js is ${process.versions.node}; using Node.js ${required} from ${bin}\n`);
  env.PATH = `${bin}${path.delimiter}${env.PATH ?? ''}`;
}

// The child gets the terminal; a SIGTERM or SIGINT sent to this process alone is passed on, so a
// supervisor that stops `npm start` still lets the server drain.
const child = spawn(command, args, { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  process.stderr.write(`attest: could not run ${command}: ${error.message}\n`);
  process.exit(2);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
