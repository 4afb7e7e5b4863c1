import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cruise, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { describe, expect, it } from 'vitest';

/*
 * The layering rules of .dependency-cruiser.cjs (run by `npm test` over src/) must catch a wrong
 * import, not just pass: this cruises a small tree laid out like src/ with one wrong import of each
 * kind beside allowed ones, and expects exactly the wrong ones to be reported, by rule.
 */
const files: Record<string, string> = {
  'src/platform/db/client.ts': 'export const db = 1;\n',
  // Wrong: platform imports a module.
  'src/platform/db/leak.ts':
    "import { notes } from '../../modules/notes/notes.schema.js';\nexport const x = notes;\n",
  'src/modules/notes/notes.schema.ts':
    "import { db } from '../../platform/db/client.js';\nexport const notes = db;\n",
  'src/modules/notes/notes.service.ts':
    "import { notes } from './notes.schema.js';\nexport const list = () => notes;\n",
  'src/modules/notes/notes.contract.ts': 'export const noteShape = {};\n',
  'src/modules/notes/notes.jobs.ts':
    "import { notes } from './notes.schema.js';\nexport const due = () => notes;\n",
  // Allowed: the worker runs a module's jobs. Wrong: it reads the module's table itself.
  'src/worker/tick.ts': [
    "import { due } from '../modules/notes/notes.jobs.js';",
    "import { notes } from '../modules/notes/notes.schema.js';",
    'export const tick = [due, notes];',
    '',
  ].join('\n'),
  // Allowed: a foreign key from one schema to another.
  'src/modules/tags/tags.schema.ts':
    "import { notes } from '../notes/notes.schema.js';\nexport const tags = notes;\n",
  // Allowed: another module's service and contract. Wrong: its schema.
  'src/modules/tags/tags.service.ts': [
    "import { list } from '../notes/notes.service.js';",
    "import { noteShape } from '../notes/notes.contract.js';",
    "import { notes } from '../notes/notes.schema.js';",
    'export const all = [list, noteShape, notes];',
    '',
  ].join('\n'),
  // Wrong: a module imports the public site and the composition root.
  'src/modules/tags/preview.ts': [
    "import { page } from '../../public/page.js';",
    "import type { Services } from '../../services.js';",
    'export const preview = (services: Services) => [page, services];',
    '',
  ].join('\n'),
  'src/public/page.ts': "import { all } from '../modules/tags/tags.service.js';\nexport const page = all;\n",
  // Wrong: one edge imports another.
  'src/bff/proxy.ts': "import { page } from '../public/page.js';\nexport const proxy = page;\n",
  'src/services.ts':
    "import { list } from './modules/notes/notes.service.js';\nexport type Services = { list: typeof list };\n",
  // Wrong: a cycle inside platform.
  'src/platform/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
  'src/platform/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
};

/** The violations the project's rules report on a tree of files. */
async function violationsIn(tree: Record<string, string>): Promise<string[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-depcruise-'));
  try {
    for (const [name, text] of Object.entries(tree)) {
      fs.mkdirSync(path.join(root, path.dirname(name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), text);
    }
    const options = await extractDepcruiseOptions(path.resolve('.dependency-cruiser.cjs'));
    const result = await cruise(['src'], { ...options, baseDir: root, validate: true });
    if (typeof result.output === 'string') throw new Error('expected a cruise result');
    expect(result.output.summary.totalCruised).toBe(Object.keys(tree).length);
    return result.output.summary.violations
      .map((v: IViolation) => `${v.rule.name}: ${v.from} → ${v.to}`)
      .sort();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

describe('the dependency rules', () => {
  it('report each deliberately wrong import, and only those', async () => {
    expect(await violationsIn(files)).toEqual(
      [
        'edges-import-no-other-edge: src/bff/proxy.ts → src/public/page.ts',
        'module-through-service-or-contract: src/modules/tags/tags.service.ts → src/modules/notes/notes.schema.ts',
        'modules-import-no-edge: src/modules/tags/preview.ts → src/public/page.ts',
        'modules-import-no-edge: src/modules/tags/preview.ts → src/services.ts',
        'no-circular: src/platform/a.ts → src/platform/b.ts',
        'platform-imports-no-module: src/platform/db/leak.ts → src/modules/notes/notes.schema.ts',
        'tables-only-in-their-module: src/worker/tick.ts → src/modules/notes/notes.schema.ts',
      ].sort(),
    );
  });

  it('report nothing once the wrong imports are gone', async () => {
    const clean = { ...files };
    for (const wrong of ['src/platform/db/leak.ts', 'src/modules/tags/preview.ts', 'src/bff/proxy.ts']) {
      delete clean[wrong];
    }
    clean['src/platform/a.ts'] = 'export const a = 1;\n';
    clean['src/worker/tick.ts'] =
      "import { due } from '../modules/notes/notes.jobs.js';\nexport const tick = due;\n";
    clean['src/modules/tags/tags.service.ts'] = [
      "import { list } from '../notes/notes.service.js';",
      "import { noteShape } from '../notes/notes.contract.js';",
      'export const all = [list, noteShape];',
      '',
    ].join('\n');
    expect(await violationsIn(clean)).toEqual([]);
  });
});
