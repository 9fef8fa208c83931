import { defineConfig } from 'vitest/config';

// Two tiers, as in the house style: pure unit tests (no database) and integration tests that run against a
// real PostgreSQL started once by the global setup (embedded, or TEST_DATABASE_URL).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/setup/seed.ts'],
          setupFiles: ['tests/setup/print-seed.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'tests/integration/**/*.test.ts',
            'tests/contract/**/*.test.ts',
            'tests/e2e/**/*.test.ts',
          ],
          environment: 'node',
          globalSetup: ['tests/setup/seed.ts', 'tests/setup/global-setup.ts'],
          setupFiles: ['tests/setup/print-seed.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Files share one database; each test makes its own rows, so files may run in parallel.
          fileParallelism: true,
        },
      },
    ],
  },
});
