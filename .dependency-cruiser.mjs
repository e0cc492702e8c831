// Import rules of the TypeScript packages, checked by dependency-cruiser in
// packages/core/test/architecture/import-layers.test.ts (so by `npm test`), or by hand:
//   node_modules/.bin/depcruise packages/core/src packages/node-plugin/src
// No import circle in either package, type-only imports included. packages/core/src is also
// cut into layers, bottom first: a module imports its own layer and the ones below, never one
// above. A file belongs to the lowest layer with a pattern that matches it, so
// model/app-model.ts (the model's types, which components/ and merge/ build on) sits below
// the rest of model/. docs/architecture.md ("Layers") says why each layer sits where it does.
const CORE = 'packages/core/src/';

/** @type {[name: string, patterns: string[]][]} */
export const CORE_LAYERS = [
  ['base', ['base/', 'schema/', 'version\\.generated\\.ts$']],
  ['files', ['output/', 'reader/']],
  ['model types', ['model/app-model\\.ts$', 'model/collect-limits\\.ts$']],
  ['model parts', ['components/', 'merge/', 'symbols/', 'own/']],
  ['model', ['model/']],
  ['outputs', ['sbom/', 'fingerprint/', 'findings/', 'sarif/', 'vex/', 'diff/']],
  ['report', ['report/']],
  ['run', ['launcher/', 'deploy/']],
  ['cli', ['cli/', 'index\\.ts$']],
];

const anyOf = (layers) => `^${CORE}(${layers.flatMap(([, patterns]) => patterns).join('|')})`;

const layerRules = CORE_LAYERS.slice(0, -1).map(([name], i) => ({
  name: `core-layer-${name.replace(/ /g, '-')}`,
  comment: `packages/core: the ${name} layer imports nothing from the layers above it (${CORE_LAYERS.slice(i + 1)
    .map(([n]) => n)
    .join(', ')})`,
  severity: 'error',
  from: { path: anyOf([CORE_LAYERS[i]]), ...(i > 0 ? { pathNot: anyOf(CORE_LAYERS.slice(0, i)) } : {}) },
  to: { path: anyOf(CORE_LAYERS.slice(i + 1)), pathNot: anyOf(CORE_LAYERS.slice(0, i + 1)) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a module imports, directly or through others, a module that imports it back',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'core-in-a-layer',
      comment: 'packages/core: every module of src/ has a layer in .dependency-cruiser.mjs',
      severity: 'error',
      from: { path: `^${CORE}`, pathNot: anyOf(CORE_LAYERS) },
      to: {},
    },
    {
      name: 'core-to-a-layer',
      comment: 'packages/core: every module of src/ has a layer in .dependency-cruiser.mjs',
      severity: 'error',
      from: {},
      to: { path: `^${CORE}`, pathNot: anyOf(CORE_LAYERS) },
    },
  ],
  options: {
    // Type-only imports count: a circle of types is still a circle in the design.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
  },
};
