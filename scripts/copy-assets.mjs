// tsc compiles TypeScript only; the data files that ship beside the code (the demo trust center)
// are copied into dist/ with the same layout.
import fs from 'node:fs';
import path from 'node:path';

const from = 'src';
const to = 'dist';
const copied = [];
for (const entry of fs.readdirSync(from, { recursive: true })) {
  const file = String(entry);
  if (!/\.(ya?ml)$/.test(file)) continue;
  fs.mkdirSync(path.join(to, path.dirname(file)), { recursive: true });
  fs.copyFileSync(path.join(from, file), path.join(to, file));
  copied.push(file);
}
if (copied.length === 0) throw new Error('no assets found to copy');
