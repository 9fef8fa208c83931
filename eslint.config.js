import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'src/generated/',
      'openapi/client-types.ts',
      '.data/',
      '.test-data/',
      'test-output/',
      // StrykerJS sandboxes and reports (npm run test:mutation).
      '.stryker-tmp/',
      'reports/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Type-aware rules on every TypeScript file (floating promises, unsafe any, needless assertions, …).
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Fastify's async style: plugins and hooks are async functions that signal completion by returning a
      // promise, whether or not they await anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Here typescript-eslint's checker and tsc disagree (openapi-fetch's generic answers, a narrowed CLI flag, a
    // source-map lookup): the linter calls assertions unnecessary that `npm run typecheck` fails without.
    files: ['src/cli/gpu-compliance.ts', 'bench/lib/profile.ts'],
    rules: { '@typescript-eslint/no-unnecessary-type-assertion': 'off' },
  },
  {
    // Tests read HTTP answers (supertest's body is `any`) and assert their shape at run time; the unsafe-any
    // family would demand a cast on every line without checking anything more.
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['scripts/**', 'bench/**', 'src/cli/**', 'tests/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Only repositories talk to Prisma; routes, use cases and the pure domain never do.
    files: ['src/http/**', 'src/domain/**', 'src/services/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/generated/prisma/**', '@prisma/*'],
              message: 'Use a repository (src/repositories).',
            },
          ],
        },
      ],
    },
  },
  {
    // The console's browser modules (plain ES modules, type-checked by src/console/tsconfig.json).
    files: ['src/console/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
);
