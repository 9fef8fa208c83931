import { createHash } from 'node:crypto';
import { expect, inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    testSeed: number;
  }
}

/**
 * One seed per test run, chosen by tests/setup/seed.ts (TEST_SEED to repeat a run) and printed whenever a test
 * fails (tests/setup/print-seed.ts). Every random choice in the tests derives from it, so a failure seen once
 * can be replayed with `TEST_SEED=<seed> npx vitest run <file>`.
 */
export function runSeed(): number {
  const provided = inject('testSeed') as number | undefined;
  if (typeof provided === 'number') return provided;
  const fromEnv = Number(process.env.TEST_SEED);
  return Number.isInteger(fromEnv) ? fromEnv : 1;
}

/**
 * A seed for one purpose in one test file: files running in parallel must not draw the same sequence (they
 * would all try the same spare country code first), so the file path and a label are mixed in.
 */
export function seedFor(label: string): number {
  const file = expect.getState().testPath ?? '';
  const digest = createHash('sha256').update(`${runSeed()}\n${file}\n${label}`).digest();
  return digest.readUInt32BE(0) & 0x7fffffff;
}

/** mulberry32: small, fast, good enough to pick test codes; deterministic for a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}
