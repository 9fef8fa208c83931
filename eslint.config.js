import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'src/generated/',
      'openapi/client-types.ts',
      '.data/',
      '.test-data/',
      'test-output/',
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
    // Only repositories talk to Prisma; routes and the pure domain never do.
    files: ['src/http/**', 'src/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/generated/prisma/**', '@prisma/*'], message: 'Use a repository or service.' },
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
