import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The layers of the hub, top to bottom. A layer imports only from the layers below it (DESIGN.md); the
 * edges (web, server, bots) sit side by side on top, and web may read the server's types for its client.
 */
const LAYERS = [['web', 'server', 'bots'], ['hub'], ['contracts'], ['workers'], ['db'], ['workflows'], ['runtime']];

/** Entry points wire every layer together, so they may import any of them. */
const COMPOSITION_ROOTS = [
  'server/main.ts',
  'server/start-server.ts',
  'workers/main.ts',
  'workers/worker.ts',
  'runtime/start.ts',
  'runtime/seed-demo.ts',
  'runtime/seed-demo-portfolios.ts',
  'runtime/seed-demo-processes.ts',
  'runtime/import-prices.ts',
  'runtime/import-screening.ts',
  'runtime/setup-temporal.ts',
  'runtime/admin-create.ts',
  'runtime/audit-verify.ts',
  'runtime/backup.ts',
  'runtime/restore.ts',
];

/** What deterministic workflow code may import besides itself (types of anything are fine: they vanish). */
const WORKFLOW_PACKAGES = ['@temporalio/workflow', '@temporalio/common', 'luxon', 'zod', 'decimal.js'];

const SIBLING_RULES = { server: ['web'], bots: ['web', 'server'], web: [] };

function layerZones() {
  const zones = [];
  LAYERS.forEach((group, depth) => {
    const above = LAYERS.slice(0, depth).flat();
    for (const layer of group) {
      const forbidden = depth === 0 ? SIBLING_RULES[layer] : layer === 'workflows' ? [] : above;
      for (const from of forbidden) {
        zones.push({
          target: `./${layer}`,
          from: `./${from}`,
          message: `${layer}/ sits below ${from}/: imports point down`,
        });
      }
    }
  });
  // workflows/ imports nothing of the hub but itself (activities as types: see the restricted imports below).
  for (const from of LAYERS.flat().filter((l) => l !== 'workflows' && l !== 'workers')) {
    zones.push({
      target: './workflows',
      from: `./${from}`,
      message: 'workflows/ is deterministic and imports only itself',
    });
  }
  return zones;
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'web/dist/**',
      'data/**',
      'test-results/**',
      'test/fixtures/**',
      '.ci/**',
      'web/src/api-schema.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    languageOptions: { parserOptions: { ecmaVersion: 2023, sourceType: 'module' } },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: layerZones() }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: COMPOSITION_ROOTS,
    rules: { 'import-x/no-restricted-paths': 'off' },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(?!\\.|${WORKFLOW_PACKAGES.map((p) => p.replace(/[.]/g, '\\.')).join('(/|$)|')}(/|$))`,
              allowTypeImports: true,
              message: 'workflows/ runs in the Temporal sandbox: only deterministic packages (or types)',
            },
            {
              group: ['**/workers/**'],
              allowTypeImports: true,
              message: 'workflows/ reaches activities through proxyActivities; import their types only',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests and benchmarks reach into every layer, and read loosely typed JSON bodies.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'import-x/no-restricted-paths': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
