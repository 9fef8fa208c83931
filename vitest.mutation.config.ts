import { defineConfig } from 'vitest/config';

// StrykerJS runs only the pure unit tier: no database, no network, so each mutant costs milliseconds.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    // A fixed seed: a mutant must be judged on the same inputs as the dry run.
    env: { TEST_SEED: '20260115' },
  },
});
