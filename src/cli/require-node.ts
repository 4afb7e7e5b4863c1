import { nodeVersionProblem } from './node-version.js';

// Imported first by the `attest` entry: ES modules run in import order, so this refuses an old
// Node before the rest of the program loads.
const problem = nodeVersionProblem();
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(2);
}
