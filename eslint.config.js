// Type-aware lint; the boundary rules below keep dependencies pointing one way (docs/architecture.md).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const noImports = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
})

export default tseslint.config(
  {
    ignores: [
      '**/node_modules',
      '**/dist',
      '.labelport',
      'bench/.data',
      'test-artifacts',
      '**/*.config.*',
    ],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/only-throw-error': 'off',
    },
  },
  {
    files: ['**/*.test.ts', 'bench/**', 'examples/**'],
    rules: {
      // node:test's describe/it return promises the runner itself awaits
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
  // dependency direction
  {
    files: ['packages/core/**'],
    ignores: ['**/*.test.ts'],
    rules: noImports(
      ['node:*', 'hono', 'hono/*', 'kysely', 'react', '@labelport/*'],
      'core is pure and isomorphic: no IO, no framework, no other package',
    ),
  },
  {
    files: ['packages/evaluation/**'],
    ignores: ['**/*.test.ts', '**/test-support.ts'],
    rules: noImports(
      ['node:*', 'hono', 'hono/*', 'kysely', 'react', '@labelport/*', '!@labelport/core'],
      'the evaluator is pure and isomorphic: core and zod only',
    ),
  },
  {
    files: ['packages/sdk/src/**'],
    ignores: ['packages/sdk/src/node/**', '**/*.test.ts'],
    rules: noImports(
      ['node:*', '@labelport/db', '@labelport/server*'],
      'the SDK runs in browsers: fetch only (Node helpers live in src/node)',
    ),
  },
  {
    files: ['packages/formats/src/**'],
    ignores: [
      'packages/formats/src/node/**',
      '**/*.test.ts',
      'packages/formats/src/test-support.ts',
    ],
    rules: noImports(
      ['node:*', '@labelport/db', '@labelport/db/*', '@labelport/server*', '@labelport/sdk*'],
      'format readers and writers are pure (files come in as sources; Node helpers live in src/node)',
    ),
  },
  {
    files: ['packages/cli/**', 'packages/viewer/**', 'apps/web/**'],
    rules: noImports(
      ['@labelport/db', '@labelport/db/*', '@labelport/server', '@labelport/server/*'],
      'clients go through the HTTP contract',
    ),
  },
  {
    files: ['apps/server/src/services/**', 'apps/server/src/import/**'],
    rules: noImports(['hono', 'hono/*'], 'services know no HTTP framework'),
  },
  {
    files: ['apps/server/src/http/**'],
    rules: noImports(['kysely', 'kysely/*', 'better-sqlite3', 'pg'], 'routes know no SQL'),
  },
)
