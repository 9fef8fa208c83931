import type { TestProject } from 'vitest/node';

/** Chooses the run's seed once, for every worker: TEST_SEED when given, else a fresh one. */
export function setup(project: TestProject): void {
  const fromEnv = Number(process.env.TEST_SEED);
  const seed =
    Number.isInteger(fromEnv) && process.env.TEST_SEED !== '' ? fromEnv : Math.floor(Math.random() * 2 ** 31);
  project.provide('testSeed', seed);
}
