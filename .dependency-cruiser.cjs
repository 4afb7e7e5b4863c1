/*
 * The layers of the server, as a rule that runs in `npm test` (see docs/decisions/0013-module-boundaries.md):
 *
 *   cli → processes.ts → app.ts → {public, bff, admin, worker} → services.ts → modules → platform
 *
 * An arrow points at what a layer may import; nothing imports upwards, and the four edges do not
 * import each other. services.ts is the composition root of the domain services: the edges take
 * `Pick<Services, …>` of it, so it sits right above the modules, and no module may import it.
 * A module reaches another module only through that module's `*.service.ts` or `*.contract.ts`;
 * the one exception is a foreign key from one `*.schema.ts` to another.
 *
 * Tests are out of the layering (a test may build what it needs), but production code never imports
 * a test. The admin console (web/admin, TSX, which swc does not read here) has its own rule, a test:
 * test/architecture/console-imports.test.ts.
 *
 * Parsing: TypeScript 7 has no JavaScript compiler API, so the files are read with swc, which sees
 * `import type` as an import: type-only imports obey the layers too.
 */
const test = '(^test/|\\.test\\.tsx?$|/support/)';
const edges = '^src/(public|bff|admin|worker)/';
const top = '^src/(cli/|processes\\.ts$|app\\.ts$)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes the layers meaningless and the load order fragile.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'platform-imports-no-module',
      severity: 'error',
      comment: 'platform/ holds no business rules: it imports no module nor anything above it.',
      from: { path: '^src/platform/', pathNot: test },
      to: { path: '^src/(?!platform/)' },
    },
    {
      name: 'modules-import-no-edge',
      severity: 'error',
      comment:
        'A module imports no public/bff/admin/worker, nor services.ts, app.ts, processes.ts or cli: move what it needs below both.',
      from: { path: '^src/modules/', pathNot: test },
      to: { path: '^src/(?!modules/|platform/)' },
    },
    {
      name: 'module-through-service-or-contract',
      severity: 'error',
      comment:
        "A module reaches another module only through its *.service.ts or *.contract.ts, never its schema, routes or internals.",
      from: { path: '^src/modules/([^/]+)/', pathNot: [test, '\\.schema\\.ts$'] },
      to: { path: '^src/modules/', pathNot: ['^src/modules/$1/', '\\.(service|contract)\\.ts$'] },
    },
    {
      name: 'tables-only-in-their-module',
      severity: 'error',
      comment:
        "Above the modules (edges, worker, services.ts, app, cli) nothing reads a module's tables: the worker finds due work through the module's *.jobs.ts, the rest through its service.",
      from: { path: '^src/(?!modules/|platform/)', pathNot: test },
      to: { path: '^src/modules/.+\\.schema\\.ts$' },
    },
    {
      name: 'schema-foreign-keys-only',
      severity: 'error',
      comment: "A module's schema may reference another module's schema (a foreign key), nothing else of it.",
      from: { path: '^src/modules/([^/]+)/.+\\.schema\\.ts$' },
      to: { path: '^src/modules/', pathNot: ['^src/modules/$1/', '\\.(schema|contract)\\.ts$'] },
    },
    {
      name: 'services-below-the-edges',
      severity: 'error',
      comment: 'services.ts composes modules and platform; it imports no edge and nothing above.',
      from: { path: '^src/services\\.ts$' },
      to: { path: `${edges}|${top}` },
    },
    {
      name: 'edges-import-no-other-edge',
      severity: 'error',
      comment: 'public, bff, admin and worker are side by side: none imports another, nor the app above them.',
      from: { path: '^src/(public|bff|admin|worker)/', pathNot: test },
      to: { path: `${edges}|${top}`, pathNot: '^src/$1/' },
    },
    {
      name: 'app-imports-no-process-or-cli',
      severity: 'error',
      from: { path: '^src/app\\.ts$' },
      to: { path: '^src/(cli/|processes\\.ts$)' },
    },
    {
      name: 'processes-import-no-cli',
      severity: 'error',
      from: { path: '^src/processes\\.ts$' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'production-imports-no-test',
      severity: 'error',
      comment: 'Nothing test-only lives in src/, and the program never loads a test.',
      from: { path: '^src/', pathNot: test },
      to: { path: test },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import the cruiser cannot resolve would slip past every rule above.',
      from: {},
      to: { couldNotResolve: true, dependencyTypesNot: ['core'] },
    },
  ],
  options: {
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
