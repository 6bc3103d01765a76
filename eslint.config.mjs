// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Workflow code runs in Temporal's deterministic sandbox: it may not touch Node built-ins, the
// environment or activity implementations (each workflow folder declares the activities it calls).
const nodeBuiltins = builtinModules.flatMap((name) => [name, `node:${name}`]);

const nodeBuiltinPaths = nodeBuiltins.map((name) => ({
  name,
  message: 'Workflow code is deterministic: Node built-ins belong in activities or lib/.',
}));
const nodeSideModules = {
  group: ['**/lib/**', '**/local/**', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
  message: 'Workflow code may not import Node-side modules.',
};

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'data/', 'tests/artifacts/', 'bench/out/', '**/*.js', '**/*.cjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.mjs'] } },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['workflows/**/*.ts', 'archive/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltinPaths,
          patterns: [
            {
              // Each workflow folder declares the activities it calls (its activities.ts, the
              // kernel's for the shared ones); activities/ implements them and sits below.
              regex: '^(\\.\\./)+activities(/|$)',
              message:
                'Workflows declare their activities in their own activities.ts; activities/ only implements them.',
            },
            nodeSideModules,
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        {
          name: 'process',
          message: 'Workflow code may not read the environment; pass settings in the input.',
        },
        { name: 'require', message: 'Use static imports so the workflow bundle stays deterministic.' },
        { name: 'Buffer', message: 'Buffer is a Node API; workflow code must stay portable.' },
      ],
    },
  },
  {
    // The archived workflows predate the per-folder contracts and keep importing the assembled
    // activity types until they retire.
    files: ['archive/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltinPaths,
          patterns: [
            {
              group: ['**/activities', '**/activities/**', '!**/activities/types', '!**/activities/types.ts'],
              allowTypeImports: true,
              message: 'Workflows may import activity types only; call activities through proxyActivities.',
            },
            nodeSideModules,
          ],
        },
      ],
    },
  },
  {
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
