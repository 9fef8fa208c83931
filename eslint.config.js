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
