/**
 * The Node.js line Attest runs on: the current LTS. Kept equal to `engines.node` in package.json
 * (a test compares them). This module imports nothing, so the `attest` entry can run it before
 * anything else loads and refuse an old Node with one clear line instead of a confusing failure later.
 */
export const REQUIRED_NODE_MAJOR = 26;

/** Why this Node cannot run Attest, or undefined when it can. */
export function nodeVersionProblem(version: string = process.versions.node): string | undefined {
  const major = Number.parseInt(version.split('.')[0] ?? '', 10);
  if (Number.isInteger(major) && major >= REQUIRED_NODE_MAJOR) return undefined;
  return `attest: Node.js ${REQUIRED_NODE_MAJOR} or newer is required (the current LTS); this is Node.js ${version}. Install it from https://nodejs.org or run .ci/node.sh (see the README).`;
}
