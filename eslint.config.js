// ESLint (flat config): typescript-eslint's recommended rules (without type information: the
// type-checked set takes three times the CPU and mostly flags the node plugin's deliberate
// `any` boundaries) on the TypeScript and JavaScript of the repository. Layout is prettier's
// job, not ESLint's. `npm run lint` runs it (scripts/format.mjs).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      '**/target/',
      '**/build/',
      'packages/core/generated/',
      '**/*.generated.ts',
      // programs the tests run, whose source lines end up in what the tests compare
      'test/fixtures/',
      'packages/*/test/fixtures/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_name` says "deliberately unused" (an omitted field, a parameter kept for its position)
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // a variable a callback reads before the one assignment after it cannot be const there
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // terminal and JSON escaping match control characters on purpose
      'no-control-regex': 'off',
      // the wrappers pass `arguments` on: no array per call, and the caller's exact arity
      'prefer-rest-params': 'off',
      // a Proxy handler's traps run with the handler as `this` and need the wrapper's
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
  {
    // The node plugin wraps functions and values of whatever module the application loads:
    // `Function` and `any` mark those boundaries.
    files: ['packages/node-plugin/**'],
    rules: {
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
