import { afterEach } from 'vitest';
import { runSeed } from '../helpers/seed.ts';

// A failing test says how to replay the random choices it made.
afterEach((context) => {
  if (context.task.result?.state === 'fail') {
    console.error(
      `"${context.task.name}" failed; its random choices came from TEST_SEED=${runSeed()} (set it to replay them)`,
    );
  }
});
