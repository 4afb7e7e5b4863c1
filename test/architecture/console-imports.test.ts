import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * The admin console (web/admin) bundles whatever it imports from the server's src/ (`@attest/…`),
 * into a page that runs in the browser. It may import only what is meant to be shared: contracts
 * (zod schemas and types) and a few dependency-free helpers, never a service, a schema, routes or
 * anything that reaches the database. (dependency-cruiser does not read the console's TSX here.)
 */
const shared = [
  /\.contract\.js$/,
  /^modules\/content\/content\.responses\.js$/,
  /^modules\/accounts\/password-policy\.js$/,
  /^platform\/auth\/context\.js$/,
  /^platform\/validation\/strings\.js$/,
  /^modules\/documents\/file-labels\.js$/,
];

function consoleImports(): { file: string; target: string }[] {
  const root = path.resolve('web/admin/src');
  const found: { file: string; target: string }[] = [];
  for (const entry of fs.readdirSync(root, { recursive: true })) {
    const file = path.join(root, String(entry));
    if (!/\.tsx?$/.test(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(/from\s+'@attest\/([^']+)'/g)) {
      found.push({ file: path.relative(root, file), target: match[1] ?? '' });
    }
  }
  return found;
}

describe('the admin console', () => {
  it('imports from the server only contracts and dependency-free helpers', () => {
    const imports = consoleImports();
    expect(imports.length).toBeGreaterThan(20);
    const server = imports.filter(({ target }) => !shared.some((pattern) => pattern.test(target)));
    expect(server).toEqual([]);
  });
});
